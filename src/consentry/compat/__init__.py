"""APIs of other tools, answered by consentry: a platform switches by changing a base URL."""
