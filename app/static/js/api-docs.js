// Starts Swagger UI on /api/docs/ (app/templates/api/docs.html) with this API's OpenAPI document.
(function () {
  "use strict";
  var root = document.getElementById("api-docs");
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    validatorUrl: null, // never send the document to the public validator service
  });
})();
