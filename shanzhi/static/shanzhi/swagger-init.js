// Starts Swagger UI on /api/docs from the settings the page embeds (#swagger-settings); the session's
// CSRF token, when the API needs one, rides along on every "Try it out" request.
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrf = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (csrf) {
    config.requestInterceptor = (req) => {
      req.headers["X-CSRFToken"] = csrf;
      return req;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
