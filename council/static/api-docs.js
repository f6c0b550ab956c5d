// The API documentation page: Swagger UI (vendored) renders our own OpenAPI document.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    // No request ever leaves this site: the online validator badge is off.
    validatorUrl: null,
    persistAuthorization: false
  });
})();
