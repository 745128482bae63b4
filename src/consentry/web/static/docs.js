// Starts Swagger UI on /docs; a file rather than an inline script, for the page's policy.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
