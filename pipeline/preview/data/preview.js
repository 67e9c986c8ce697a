// Live updates for the pages of `leaflets preview`, served by it under script-src 'self'.
// The server says when what a page shows has changed (Server-Sent Events); the page then fetches
// itself again and swaps in the parts that changed, and the leaflet's content into its frame in
// place, so the reader keeps their place. Without this script the pages still work: reload by hand.
(function () {
  'use strict';
  var body = document.body;
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
