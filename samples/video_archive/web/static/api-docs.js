// Starts Swagger UI on the API page (/api/v1/docs). A file of this origin rather than an
// inline script, so the page's Content-Security-Policy needs no 'unsafe-inline'.
"use strict";
(function () {
  var url = document.currentScript.dataset.openapiUrl;
  window.addEventListener("DOMContentLoaded", function () {
    window.SwaggerUIBundle({
      url: url,
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
    });
  });
})();
