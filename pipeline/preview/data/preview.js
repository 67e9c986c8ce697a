// Live updates for the pages of `leaflets preview`, served by it under script-src 'self'.
// The server says when what a page shows has changed (Server-Sent Events); the page then fetches
// itself again and swaps in the parts that changed, and the leaflet's content into its frame in
// place, so the reader keeps their place. Without this script the pages still work: reload by hand.
(function () {
  'use strict';
  var body = document.body;

  // A link to a section of the leaflet (/preview/<id>#<anchor>, as the review page has them) shows
  // that section in the frame: its page comes from this server, so its document is ours to scroll.
  // Only the frame scrolls; a live update keeps the frame's document, and so the place.
  var sectionShown = false;

  function showSection(frame) {
    var anchor;
    try {
      anchor = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return true;  // not a section's name: nothing to show
    }
    var doc = frame.contentDocument;
    var target = anchor && doc && doc.getElementById(anchor);
    if (!target) {
      return !anchor;
    }
    var view = frame.contentWindow;
    view.scrollTo(0, target.getBoundingClientRect().top + view.pageYOffset);
    return true;
  }

  function pageFrame() {
    return document.querySelector('.page-pane iframe');
  }

  // The frame may load before or after this script runs, or only once a broken file is put right.
  document.addEventListener('load', function (event) {
    if (!sectionShown && event.target === pageFrame()) {
      sectionShown = showSection(event.target);
    }
  }, true);
  window.addEventListener('hashchange', function () {
    var frame = pageFrame();
    sectionShown = !!frame && showSection(frame);
  });
  (function () {
    var frame = pageFrame();
    var doc = frame && frame.contentDocument;
    if (doc && doc.readyState === 'complete' && doc.location.href !== 'about:blank') {
      sectionShown = showSection(frame);
    }
  }());

  var stream = body.getAttribute('data-stream');
  if (!stream || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var source = null;
  var busy = false;
  var again = false;

  function say(text) {
    var line = document.querySelector('[data-connection]');
    if (line && line.textContent !== text) {
      line.textContent = text;
    }
  }

  function parse(text) {
    return new DOMParser().parseFromString(text, 'text/html');
  }

  function fetchText(url) {
    return fetch(url, {cache: 'no-store'}).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ': ' + response.status);
      }
      return response.text();
    });
  }

  // The leaflet's new page into its frame without reloading it: no flash, same scroll position.
  function swapPage(frame, url) {
    return fetchText(url).then(function (text) {
      var doc = frame.contentDocument;
      var wanted = new URL(url, location.href).pathname;
      if (!doc || !doc.body || doc.location.pathname !== wanted) {
        frame.setAttribute('src', url);  // the reader followed a link in the frame: show the page again
        return;
      }
      var fresh = parse(text);
      doc.head.replaceWith(doc.importNode(fresh.head, true));
      doc.body.replaceWith(doc.importNode(fresh.body, true));
      doc.documentElement.className = fresh.documentElement.className;
    });
  }

  function updateFrame(fresh) {
    var pane = document.querySelector('[data-frame]');
    var next = fresh.querySelector('[data-frame]');
    if (!pane || !next || pane.getAttribute('data-frame') === next.getAttribute('data-frame')) {
      return null;
    }
    var frame = pane.querySelector('iframe');
    pane.setAttribute('data-frame', next.getAttribute('data-frame'));
    var nextFrame = next.querySelector('iframe');
    if (frame && nextFrame) {
      frame.setAttribute('title', nextFrame.getAttribute('title'));
      return swapPage(frame, nextFrame.getAttribute('src'));
    }
    pane.innerHTML = next.innerHTML;
    return null;
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetchText(location.pathname).then(function (text) {
      var fresh = parse(text);
      document.title = fresh.title;
      fresh.querySelectorAll('[data-live]').forEach(function (region) {
        var here = document.querySelector('[data-live="' + region.getAttribute('data-live') + '"]');
        if (here && here.innerHTML !== region.innerHTML) {
          here.innerHTML = region.innerHTML;
        }
      });
      var frameDone = updateFrame(fresh);
      body.setAttribute('data-token', fresh.body.getAttribute('data-token'));
      return frameDone;
    }).then(function () {
      say('');
    }, function (error) {
      say('Could not update this page (' + error.message + '); it updates at the next save.');
    }).then(function () {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  function connect() {
    source = new EventSource(stream);
    source.onmessage = function (event) {
      say('');
      if (event.data !== body.getAttribute('data-token')) {
        refresh();
      }
    };
    source.onerror = function () {
      say('Lost touch with leaflets preview; trying again. Is it still running?');
    };
  }

  // A hidden tab lets its stream go (a browser keeps only a few open to one server) and looks again when shown.
  document.addEventListener('visibilitychange', function () {
    if (document.hidden && source) {
      source.close();
      source = null;
    } else if (!document.hidden && !source) {
      connect();
    }
  });
  if (!document.hidden) {
    connect();
  }
}());
