// Render the math that pymdownx.arithmatex leaves in .arithmatex elements, with the
// KaTeX copy served by this site (no CDN). Material's instant navigation replaces the
// page body without a reload, so render on every page change.
document$.subscribe(() => {
  document.querySelectorAll(".arithmatex").forEach((element) => {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  });
});
