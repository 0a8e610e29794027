// Starts the vendored viewer on /api/openapi.json (a static file: the pages need no inline script).
(function () {
  "use strict";
  var box = document.getElementById("api-docs");
  if (box.dataset.viewer === "swagger") {
    window.ui = window.SwaggerUIBundle({
      url: box.dataset.spec,
      domNode: box,
      deepLinking: true,
      validatorUrl: null,  // the default online validator would send the spec out of the app
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      // Tags start closed: with every one of ~150 operations open at once the UI stops
      // rendering part-way (measured past ~130), and one area at a time reads better anyway.
      docExpansion: "none",
    });
  } else {
    window.Redoc.init(box.dataset.spec, { hideDownloadButton: false, expandResponses: "200" }, box);
  }
})();
