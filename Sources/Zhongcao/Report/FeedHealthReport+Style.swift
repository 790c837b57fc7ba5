extension FeedHealthReport {
  /// The page's style sheet: system fonts with Chinese fallbacks, no web fonts, no images.
  static let styleSheet = """
    :root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #c0392b;
      --organic: #2e7d32; --paid: #1565c0; --disclosed: #b26a00; --suspect: #c62828; --business: #6a1b9a; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #fff; color: var(--ink); line-height: 1.5;
      font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
    main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
    h1 { font-size: 30px; margin: 0 0 4px; letter-spacing: -0.01em; }
    h2 { font-size: 21px; margin: 40px 0 10px; padding-top: 14px; border-top: 2px solid var(--ink); }
    h3 { font-size: 16px; margin: 14px 0 8px; }
    h3 small, th small, td small { color: var(--muted); font-weight: normal; }
    p { margin: 8px 0; max-width: 80ch; }
    .lede { font-size: 17px; color: var(--muted); margin-bottom: 18px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 14px; }
    .card { display: flex; flex-direction: column; padding: 14px 16px; border: 1px solid var(--line); border-radius: 10px;
      background: var(--soft); color: inherit; text-decoration: none; }
    .card-title { font-size: 13px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
    .card-value { font-size: 34px; font-weight: 700; line-height: 1.2; margin: 4px 0; }
    .card-detail { font-size: 13.5px; color: var(--muted); }
    nav ol { display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: 18px 0 0; list-style: none; counter-reset: s; }
    nav li { counter-increment: s; font-size: 14px; }
    nav li::before { content: counter(s) ". "; color: var(--muted); }
    nav a { color: var(--paid); }
    table { border-collapse: collapse; margin: 10px 0; font-size: 14.5px; }
    th, td { text-align: left; padding: 6px 12px 6px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
    thead th { font-size: 13px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
    table.facts th { width: 190px; font-weight: 600; }
    table.metrics { width: 100%; }
    table.metrics th[scope=row] { font-weight: normal; max-width: 300px; }
    tr.best { background: #fff8e1; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .meter { display: block; position: relative; height: 8px; margin-top: 5px; width: 180px; background: var(--soft); border-radius: 4px; }
    .meter .fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--paid); border-radius: 4px; opacity: 0.75; }
    .meter .whisker { position: absolute; top: 3px; height: 2px; background: var(--ink); }
    .legend .badge { margin-right: 6px; }
    .badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; white-space: nowrap; }
    .badge.organic { background: var(--organic); }
    .badge.paid_ad { background: var(--paid); }
    .badge.disclosed_ad { background: var(--disclosed); }
    .badge.suspected_undisclosed_promotion { background: var(--suspect); }
    .badge.business_self_promotion { background: var(--business); }
    .feeds { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
    .feed { border: 1px solid var(--line); border-radius: 10px; padding: 4px 14px 10px; }
    .feed ol { list-style: none; margin: 0; padding: 0; }
    .slot { padding: 7px 0; border-top: 1px solid var(--line); font-size: 14px; }
    .slot .pos { display: inline-block; width: 22px; color: var(--muted); font-variant-numeric: tabular-nums; }
    .slot .badge { margin-right: 6px; }
    .slot.paid_ad, .slot.disclosed_ad { background: #fffaf0; }
    .slot.suspected_undisclosed_promotion { background: #fff3f3; }
    .note-title { font-weight: 600; }
    code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12.5px; color: var(--muted); }
    .facts-line { margin-left: 22px; font-size: 12.5px; color: var(--muted); }
    .evidence { margin: 2px 0 0 22px; padding-left: 16px; font-size: 12.5px; color: var(--ink); }
    .evidence b { color: var(--muted); font-weight: 600; }
    .two { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 24px; }
    table.bars { width: 100%; }
    table.bars th { font-weight: normal; width: 46%; }
    .barcell { width: 40%; }
    .hbar { display: block; height: 12px; border-radius: 3px; background: var(--paid); min-width: 2px; margin-top: 5px; }
    .hbar.grade-sufficient { background: var(--organic); }
    .hbar.grade-platformLabel { background: #558b2f; }
    .hbar.grade-buried { background: var(--disclosed); }
    .hbar.grade-vague { background: #ef6c00; }
    .hbar.disclosed_ad { background: var(--disclosed); }
    .hbar.suspected_undisclosed_promotion { background: var(--suspect); }
    .hbar.business_self_promotion { background: var(--business); }
    .headline { font-size: 17px; }
    .note { color: var(--muted); font-size: 14px; }
    .missing { color: var(--accent); }
    td.sample { color: var(--muted); font-size: 13px; max-width: 460px; }
    figure.chart { margin: 12px 0; }
    figure.chart svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 8px; }
    details { margin: 10px 0; font-size: 14px; }
    summary { cursor: pointer; color: var(--paid); }
    dl { font-size: 14.5px; }
    dt { font-weight: 700; margin-top: 12px; }
    dd { margin: 2px 0 0 0; max-width: 95ch; color: #333; }
    footer { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--line); font-size: 13px; color: var(--muted); }

    """
}
