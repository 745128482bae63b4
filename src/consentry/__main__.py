from consentry.cli.main import app

app(prog_name="consentry")
