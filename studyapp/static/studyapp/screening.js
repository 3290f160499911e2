// Device screening: a study may need a minimum window size, and every study
// needs a browser that plays H.264 MP4. Others get a polite page that says why, in
// the page's language (the template gives the sentences as data attributes).
(function () {
  "use strict";
  const body = document.body;
  const minWidth = Number(body.dataset.minWidth || 0);
  const minHeight = Number(body.dataset.minHeight || 0);
  const screening = document.getElementById("screening");
  const reasons = [];
  const probe = document.createElement("video");
  if (!probe.canPlayType || !probe.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"')) {
    reasons.push(screening.dataset.noVideo);
  }
  if (window.innerWidth < minWidth || window.innerHeight < minHeight) {
    const sizes = { width: window.innerWidth, height: window.innerHeight, minWidth, minHeight };
    reasons.push(screening.dataset.windowSize.replace(/\{(\w+)\}/g, (_, name) => sizes[name]));
  }
  if (reasons.length) {
    document.getElementById("screening-reason").textContent = reasons.join(" ");
    screening.hidden = false;
    document.querySelector("main").hidden = true;
  }
})();
