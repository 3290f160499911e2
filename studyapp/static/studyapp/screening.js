// Device screening: a study may need a minimum window size, and every study
// needs a browser that plays H.264 MP4. Others get a polite page that says why.
(function () {
  "use strict";
  const body = document.body;
  const minWidth = Number(body.dataset.minWidth || 0);
  const minHeight = Number(body.dataset.minHeight || 0);
  const reasons = [];
  const probe = document.createElement("video");
  if (!probe.canPlayType || !probe.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"')) {
    reasons.push("This browser cannot play the study's videos (H.264 MP4).");
  }
  if (window.innerWidth < minWidth || window.innerHeight < minHeight) {
    reasons.push(`The window is ${window.innerWidth} x ${window.innerHeight} pixels; this ` +
      `study needs at least ${minWidth} x ${minHeight}.`);
  }
  if (reasons.length) {
    document.getElementById("screening-reason").textContent = reasons.join(" ");
    document.getElementById("screening").hidden = false;
    document.querySelector("main").hidden = true;
  }
})();
