"""GraphiQL's page at ``GET /graphql``, loading only hrh's own static files.

strawberry's own page loads React and GraphiQL from a CDN, so on a ministry's network cut off from
the internet it shows "Loading..." for ever. This one names the vendored builds
(``api/web/static/vendor/graphiql``) by their content-hashed URLs, says how to send a token, and
keeps the token out of the browser's storage (a shared office computer keeps no one's token).
"""

import html
import json

from starlette.responses import HTMLResponse

from api.web.static import static_url

TITLE = "hrh — GraphiQL"
DEFAULT_QUERY = """\
# hrh: the health workforce ledger's GraphQL API.
#
# Without a token you are anonymous, and most fields are refused.
# To act as a user, open "Headers" below and paste
#   {"Authorization": "Bearer <token>"}
# (`hrh users add` prints a user's token; `make demo` prints one for each role.)
#
# Run with Ctrl-Enter or the ▶ button; the book button (Docs) lists every query and mutation.

{
  orgUnits(level: REGION) {
    code
    name
  }
}
"""

# GraphiQL 3.9's light colours (hue, saturation, lightness) with the lightness lowered, and its grey text less
# transparent: each then reads at 4.5:1 or more on GraphiQL's backgrounds.
LIGHT_THEME = (
    "--color-primary: 320, 95%, 38%; --color-secondary: 242, 51%, 48%; --color-tertiary: 188, 100%, 25%; "
    "--color-info: 208, 100%, 36%; --color-success: 158, 100%, 23%; --color-warning: 36, 100%, 28%; "
    "--color-error: 13, 100%, 40%; --alpha-secondary: .85;"
)

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<style>
  html, body {{ height: 100%; margin: 0; }}
  body {{ display: flex; flex-direction: column; font-family: system-ui, sans-serif; }}
  body > header {{ padding: 0.4rem 1rem; border-bottom: 1px solid #d0d4da; background: #f6f7f9; color: #1b1f24; }}
  body > header h1 {{ display: inline; font-size: 1rem; margin: 0 1rem 0 0; }}
  body > header p {{ display: inline; margin: 0; font-size: 0.875rem; }}
  body > header code {{ background: #e8eaee; padding: 0 0.25rem; border-radius: 3px; }}
  #graphiql {{ flex: 1; min-height: 0; display: flex; }}
  /* GraphiQL's light theme, darkened where its text falls under WCAG AA's 4.5:1 contrast (axe-core). */
  @media not (prefers-color-scheme: dark) {{ body:not(.graphiql-dark) .graphiql-container {{ {light} }} }}
  body.graphiql-light .graphiql-container {{ {light} }}
  /* A link in the documentation's text is told from the text by more than its colour. */
  a.graphiql-doc-explorer-type-name, a.graphiql-doc-explorer-field-name {{ text-decoration: underline; }}
</style>
</head>
<body class="graphiql">
<header>
  <h1>{title}</h1>
  <p>To act as a user, open <strong>Headers</strong> under the query and paste
  <code>{{"Authorization": "Bearer &lt;token&gt;"}}</code>. Without it you are anonymous.</p>
  <p lang="fr">Pour agir en tant qu’utilisateur, ouvrez <strong>Headers</strong> sous la requête et collez
  <code>{{"Authorization": "Bearer &lt;jeton&gt;"}}</code>.</p>
</header>
<main id="graphiql">Loading…</main>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script>
  // GraphiQL types into CodeMirror's hidden text areas, which have no label: name each after its
  // editor, for screen readers, whenever GraphiQL renders one.
  const EDITORS = [
    [".graphiql-query-editor textarea", "Query"],
    [".graphiql-editor-tool .graphiql-editor:nth-child(1) textarea", "Variables"],
    [".graphiql-editor-tool .graphiql-editor:nth-child(2) textarea", "Headers"],
    [".result-window textarea", "Result"],
  ];
  new MutationObserver(() => {{
    for (const [selector, name] of EDITORS) {{
      for (const area of document.querySelectorAll(selector)) {{
        if (!area.hasAttribute("aria-label")) area.setAttribute("aria-label", name);
      }}
    }}
  }}).observe(document.getElementById("graphiql"), {{ childList: true, subtree: true }});
  const fetcher = GraphiQL.createFetcher({{ url: window.location.origin + window.location.pathname }});
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {{
      fetcher: fetcher,
      defaultQuery: {default_query},
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    }}),
  );
</script>
</body>
</html>
"""


def page() -> HTMLResponse:
    """The page; never cached, since it names the static files of the running version."""
    body = PAGE.format(
        title=html.escape(TITLE),
        light=LIGHT_THEME,
        css=static_url("vendor/graphiql/graphiql.min.css"),
        react=static_url("vendor/graphiql/react.production.min.js"),
        react_dom=static_url("vendor/graphiql/react-dom.production.min.js"),
        graphiql=static_url("vendor/graphiql/graphiql.min.js"),
        # JSON is a JavaScript literal; "</" escaped so that the text cannot close the script element.
        default_query=json.dumps(DEFAULT_QUERY).replace("</", "<\\/"),
    )
    return HTMLResponse(body, headers={"Cache-Control": "no-cache"})
