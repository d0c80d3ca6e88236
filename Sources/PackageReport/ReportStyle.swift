/// The report's inline stylesheet and scripts (no external resources).
enum ReportStyle {
    /// Colours and layout; print-friendly, readable at 640 px.
    static let css = """
        :root{--fg:#1d232b;--muted:#5d6875;--line:#d5dbe2;--accent:#2f6db3;--band:#2f6db31f;--clip:#c8372d;\
        --bar:#2f6db3;--bar2:#9fbde0}
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;\
        background:#fbfcfd}
        header,nav,main{max-width:1100px;margin:0 auto;padding:0 20px}
        header h1{font-size:22px;margin:18px 0 2px}
        .meta,.muted,.hint{color:var(--muted)}
        nav{position:sticky;top:0;background:#fbfcfdee;border-bottom:1px solid var(--line);padding-top:6px;\
        padding-bottom:6px;z-index:1}
        nav a{margin-right:14px;color:var(--accent);text-decoration:none}
        h2{font-size:18px;margin:26px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        h3{font-size:16px;margin:18px 0 6px}
        h4{font-size:14px;margin:12px 0 4px}
        code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
        h1 code,h3 code,h4 code{font-size:inherit}
        .hash{word-break:break-all}
        table{border-collapse:collapse;margin:6px 0 10px}
        th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#eef2f6;font-weight:600}
        th[data-sort-key]{cursor:pointer;user-select:none}
        th[aria-sort]{background:#dde7f3}
        td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        #layer-table{width:100%}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
        dl.facts dt{color:var(--muted)}
        dl.facts dd{margin:0}
        .layer{border:1px solid var(--line);border-radius:6px;padding:4px 14px 10px;margin:14px 0;background:#fff}
        .tensor{border-top:1px dashed var(--line);margin-top:8px}
        figure{margin:6px 0;flex:0 1 640px;min-width:0}
        .pair{display:flex;flex-wrap:wrap;gap:6px 22px;align-items:flex-start}
        .side{flex:1 1 340px;min-width:0}
        .side svg.plot{max-width:420px}
        figcaption{color:var(--muted);font-size:12.5px;max-width:640px}
        svg.plot{max-width:100%;height:auto;display:block}
        svg .bins{fill:var(--accent)}
        svg .bins-clipped,svg .channel-outlier{fill:var(--clip);stroke:var(--clip)}
        svg .channel{stroke:var(--accent)}
        svg .chosen-band{fill:var(--band)}
        svg .chosen{stroke:var(--accent);stroke-width:1.5}
        svg .observed{stroke:#444;stroke-dasharray:4 3}
        svg .axis{stroke:#888}
        svg .label{font:11px system-ui,sans-serif;fill:var(--fg)}
        svg .bar{fill:var(--bar)}
        svg .bar2{fill:var(--bar2)}
        .key-clipped{color:var(--clip);font-weight:600}
        .candidates .chosen-row td{font-weight:600}
        .reason{margin:2px 0 6px}
        .note{color:#8a5a00}
        pre.config{background:#f3f5f8;border:1px solid var(--line);padding:8px;overflow:auto;max-height:420px}
        @media print{nav{position:static}.layer{break-inside:avoid}}
        """

    /// Runs first: records any script error on the root element (`data-report-errors`), so a headless
    /// browser's DOM shows it.
    static let errorHook = """
        window.addEventListener("error",function(e){var r=document.documentElement;\
        r.setAttribute("data-report-errors",(r.getAttribute("data-report-errors")||"")+String(e.message)+";")});
        """

    /// Sorts the layer table by a column's `data-*` values (numbers; empty values last) on a click; marks
    /// the root element `data-report-script="ran"` when set up.
    static let script = """
        (function(){var t=document.getElementById("layer-table");if(!t)return;var b=t.tBodies[0];\
        var hs=t.querySelectorAll("th[data-sort-key]");hs.forEach(function(h){h.tabIndex=0;\
        function go(){var k=h.getAttribute("data-sort-key"),txt=h.getAttribute("data-sort-type")==="text";\
        var asc=h.getAttribute("aria-sort")!=="ascending";hs.forEach(function(o){o.removeAttribute("aria-sort")});\
        h.setAttribute("aria-sort",asc?"ascending":"descending");var rows=Array.prototype.slice.call(b.rows);\
        rows.sort(function(x,y){var a=x.getAttribute("data-"+k)||"",c=y.getAttribute("data-"+k)||"";\
        if(a===""||c==="")return a===c?0:(a===""?1:-1);var d=txt?a.localeCompare(c):parseFloat(a)-parseFloat(c);\
        return asc?d:-d});rows.forEach(function(r){b.appendChild(r)})}\
        h.addEventListener("click",go);h.addEventListener("keydown",function(e){if(e.key==="Enter")go()})});\
        document.documentElement.setAttribute("data-report-script","ran")})();
        """
}
