// Loaded between require.js and @jupyter-widgets/html-manager's embed-amd.js on every page with widgets.
// The bundle's modules find their icon fonts in the folder of their AMD module path; map each module into this
// site's _static folder (relative to the page, so it works from file:// and over HTTP alike). The modules are
// all defined by the bundle itself, so require.js never fetches these paths.
(function () {
  const here = document.documentElement.dataset.content_root + "_static/";
  const names = ["base", "base7", "controls", "controls7", "output", "html-manager"];
  const paths = { "@jupyter-widgets/html-manager/dist/libembed-amd": here + "libembed-amd" };
  for (const name of names) paths["@jupyter-widgets/" + name] = here + name;
  require.config({ paths });
})();
