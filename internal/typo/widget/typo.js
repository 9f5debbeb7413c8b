/*
 * Typo reports for the Gubkin news site: the reader selects text, presses
 * Ctrl+Enter (Cmd+Enter on a Mac), and the editors get it in their Telegram
 * chat through newsbot.
 *
 *   <script src="https://bot.example/typo.js"
 *           data-endpoint="https://bot.example/api/typo" async></script>
 *
 * No dependencies; user text goes into the page only through textContent.
 * The reader-facing texts live here rather than in locales/ because the
 * browser never sees the bot's locale files: Russian by default, English
 * when <html lang="en">. The server checks every limit again.
 */
(function () {
  'use strict';
  if (window.__gubkinTypo) return; // included twice: one listener is enough
  window.__gubkinTypo = true;

  var MAX_TEXT = 300, CONTEXT = 60, MAX_COMMENT = 500;
  var TEXTS = {
    ru: {
      title: 'Сообщить об опечатке', fragment: 'Текст с ошибкой:',
      comment: 'Комментарий (необязательно)', placeholder: 'Например, как правильно',
      send: 'Отправить', cancel: 'Отмена', close: 'Закрыть', sending: 'Отправляем…',
      thanks: 'Спасибо! Редакция получила сообщение',
      already: 'Спасибо! Об этой опечатке редакции уже сообщили',
      tooLong: 'Выделено слишком много текста: не больше ' + MAX_TEXT +
        ' символов. Выделите слово или фразу с ошибкой.',
      failed: 'Не удалось отправить сообщение. Попробуйте ещё раз чуть позже.'
    },
    en: {
      title: 'Report a typo', fragment: 'Text with the mistake:',
      comment: 'Comment (optional)', placeholder: 'For example, the right spelling',
      send: 'Send', cancel: 'Cancel', close: 'Close', sending: 'Sending…',
      thanks: 'Thank you! The editors have received your report',
      already: 'Thank you! The editors already know about this typo',
      tooLong: 'Too much text is selected: at most ' + MAX_TEXT +
        ' characters. Select the word or phrase with the mistake.',
      failed: 'The report was not sent. Please try again a little later.'
    }
  };

  var script = document.currentScript ||
    document.querySelector('script[data-endpoint][src*="typo.js"]');
  var endpoint = script && script.getAttribute('data-endpoint');
  if (!endpoint) {
    endpoint = script && script.src ? new URL('/api/typo', script.src).href : '/api/typo';
  }
  var lang = /^en\b/i.test(document.documentElement.getAttribute('lang') || '') ? 'en' : 'ru';
  var t = TEXTS[lang];
  var overlay = null, lastFocus = null;

  function chars(s) { return Array.from(s); } // code points, as the server counts
  function squash(s) { return s.replace(/\s+/g, ' '); }
  function head(s, n) { return chars(s).slice(0, n).join(''); }
  function tail(s, n) { var c = chars(s); return c.slice(Math.max(0, c.length - n)).join(''); }

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (k) {
      e.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
    });
    return e;
  }

  // The surrounding text comes from the nearest block: a paragraph, an item.
  function context(range) {
    var node = range.commonAncestorContainer;
    var elem = node.nodeType === 1 ? node : node.parentElement;
    var block = (elem && elem.closest &&
      elem.closest('p,li,td,th,blockquote,h1,h2,h3,h4,h5,h6,figcaption,article,section,main,div')) ||
      document.body;
    var before = document.createRange(), after = document.createRange();
    before.selectNodeContents(block);
    before.setEnd(range.startContainer, range.startOffset);
    after.selectNodeContents(block);
    after.setStart(range.endContainer, range.endOffset);
    return { before: tail(squash(before.toString()), CONTEXT), after: head(squash(after.toString()), CONTEXT) };
  }

  function addStyle() {
    if (document.getElementById('gtypo-style')) return;
    var css =
      '.gtypo-overlay{position:fixed;top:0;right:0;bottom:0;left:0;background:rgba(0,0,0,.45);' +
      'z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:16px}' +
      '.gtypo-dialog{background:#fff;color:#222;max-width:480px;width:100%;box-sizing:border-box;' +
      'border-radius:8px;padding:20px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;' +
      'box-shadow:0 10px 40px rgba(0,0,0,.3)}' +
      '.gtypo-dialog h2{font-size:18px;margin:0 0 12px}' +
      '.gtypo-quote{margin:4px 0 12px;padding:8px 12px;background:#f5f5f5;border-left:3px solid #c00;overflow-wrap:anywhere}' +
      '.gtypo-quote mark{background:none;color:#c00;text-decoration:underline;font-weight:bold}' +
      '.gtypo-dialog label{display:block;margin-bottom:4px}' +
      '.gtypo-dialog textarea{width:100%;box-sizing:border-box;min-height:70px;font:inherit;padding:6px}' +
      '.gtypo-status{min-height:1.4em;margin:8px 0 0}' +
      '.gtypo-buttons{margin-top:12px;display:flex;gap:8px;justify-content:flex-end}' +
      '.gtypo-buttons button{font:inherit;padding:6px 14px;cursor:pointer}';
    document.head.appendChild(el('style', { id: 'gtypo-style' }, [css]));
  }

  function close() {
    if (!overlay) return;
    overlay.parentNode.removeChild(overlay);
    overlay = null;
    document.removeEventListener('keydown', onDialogKey, true);
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }

  // Esc closes; Tab stays inside the dialog.
  function onDialogKey(e) {
    if (e.key === 'Escape' || e.key === 'Esc') {
      e.preventDefault();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    var f = overlay.querySelectorAll('button:not([disabled]),textarea');
    if (!f.length) return;
    var first = f[0], last = f[f.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  function open(content, focus) {
    addStyle();
    lastFocus = document.activeElement;
    var dialog = el('div', { 'class': 'gtypo-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'gtypo-title' },
      [el('h2', { id: 'gtypo-title' }, [t.title])].concat(content));
    overlay = el('div', { 'class': 'gtypo-overlay' }, [dialog]);
    overlay.addEventListener('mousedown', function (e) { if (e.target === overlay) close(); });
    document.body.appendChild(overlay);
    document.addEventListener('keydown', onDialogKey, true);
    (focus || dialog.querySelector('button')).focus();
  }

  function button(label, onClick, attrs) {
    var b = el('button', attrs || { type: 'button' }, [label]);
    if (onClick) b.addEventListener('click', onClick);
    return b;
  }

  function showMessage(text) {
    var ok = button(t.close, close);
    open([el('p', { role: 'alert' }, [text]), el('div', { 'class': 'gtypo-buttons' }, [ok])], ok);
  }

  function showForm(report) {
    var quote = el('blockquote', { 'class': 'gtypo-quote' },
      [(report.before ? '…' + report.before : ''), el('mark', {}, [report.text]), (report.after ? report.after + '…' : '')]);
    var comment = el('textarea', { id: 'gtypo-comment', maxlength: String(MAX_COMMENT), placeholder: t.placeholder });
    var status = el('p', { 'class': 'gtypo-status', role: 'status', 'aria-live': 'polite' });
    var send = button(t.send, null, { type: 'submit' });
    var buttons = el('div', { 'class': 'gtypo-buttons' }, [button(t.cancel, close), send]);
    var form = el('form', {}, [el('p', {}, [t.fragment]), quote,
      el('label', { 'for': 'gtypo-comment' }, [t.comment]), comment, status, buttons]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      report.comment = comment.value.trim();
      submit(report, status, send, buttons);
    });
    open([form], comment);
  }

  function submit(report, status, send, buttons) {
    status.textContent = t.sending;
    send.disabled = true;
    var done = function (text) {
      status.textContent = text;
      var ok = button(t.close, close);
      buttons.textContent = '';
      buttons.appendChild(ok);
      ok.focus();
    };
    var failed = function (text) { status.textContent = text; send.disabled = false; };
    fetch(endpoint, {
      method: 'POST', mode: 'cors', credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'Accept-Language': lang },
      body: JSON.stringify({
        url: location.href.split('#')[0], title: document.title, text: report.text,
        before: report.before, after: report.after, comment: report.comment
      })
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.ok) done(data.status === 'already_reported' ? t.already : t.thanks);
        else failed(data.error || t.failed);
      });
    }).catch(function () { failed(t.failed); });
  }

  document.addEventListener('keydown', function (e) {
    var enter = e.key === 'Enter' || e.keyCode === 13 || e.keyCode === 10;
    if (!enter || !(e.ctrlKey || e.metaKey) || overlay) return;
    var sel = window.getSelection ? window.getSelection() : null;
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    var text = squash(sel.toString()).trim();
    if (!text) return;
    e.preventDefault();
    if (chars(text).length > MAX_TEXT) {
      showMessage(t.tooLong);
      return;
    }
    var ctx = context(sel.getRangeAt(0));
    showForm({ text: text, before: ctx.before, after: ctx.after });
  });
})();
