package io.churnagent.report;

/** The HTML report's style sheet, inlined into the page (no external file or font); a constant. */
final class HtmlReportCss {

    static final String CSS = ""
            + "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:18px 28px;color:#1b1b1b;background:#fff;"
            + "font-size:14px}"
            + "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 8px}h3{font-size:14px;margin:14px 0 6px}"
            + ".meta{color:#555;margin:0 0 10px}.note{color:#444;max-width:1100px;margin:6px 0}"
            + "section.dest{border-top:2px solid #ccc;padding:14px 0 8px;margin-top:12px}"
            + ".host{color:#555;font-weight:normal}"
            + ".level{font-size:12px;font-weight:bold;padding:2px 8px;border-radius:9px;margin-left:8px;vertical-align:middle}"
            + ".level.none{background:#e8f5e9;color:#1b5e20}.level.warn{background:#fff3cd;color:#7a5200}"
            + ".level.critical{background:#fbe0e0;color:#8a1010}"
            + "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px 3px 0;text-align:left}"
            + "table.figures td{padding-right:18px}table.figures .v{font-weight:bold;font-family:'DejaVu Sans Mono',monospace}"
            + "table.summary th{border-bottom:1px solid #bbb}table.summary td{font-family:'DejaVu Sans Mono',monospace}"
            + ".charts{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}"
            + "svg{background:#fcfcfc;border:1px solid #ddd}svg text{font-size:11px;fill:#333}"
            + "svg text.title{font-size:13px;font-weight:bold}"
            + ".site{margin:6px 0 10px}.sitehead{font-family:'DejaVu Sans Mono',monospace;font-size:13px}"
            + "pre{margin:4px 0 0 16px;font-size:12px;color:#333;white-space:pre-wrap}"
            + ".none{color:#666;font-style:italic}";

    private HtmlReportCss() {
    }
}
