"""Copy the front-end assets Frontdoor serves from node_modules into the package's static
folder. Run by `make assets` after `npm ci`; nothing is fetched from a CDN at run time."""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
DEST = ROOT / "src" / "frontdoor" / "static" / "vendor"


def copy(source: str, target: str) -> None:
    src, dst = MODULES / source, DEST / target
    if not src.exists():
        sys.exit(f"{src} is missing: run `npm ci` first (make assets does)")
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def relative_asset_urls(css_file: str) -> None:
    # GOV.UK Frontend's compiled CSS points at /assets/...; serve those beside the CSS instead.
    path = DEST / css_file
    css = path.read_text()
    path.write_text(re.sub(r"url\(/assets/", "url(assets/", css))


def main() -> None:
    if DEST.exists():
        shutil.rmtree(DEST)
    copy("govuk-frontend/dist/govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.css")
    copy("govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk/govuk-frontend.min.js")
    copy("govuk-frontend/dist/govuk/assets", "govuk/assets")
    copy("@ministryofjustice/frontend/moj/moj-frontend.min.css", "moj/moj-frontend.min.css")
    copy("@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj/moj-frontend.min.js")
    copy("@ministryofjustice/frontend/moj/assets", "moj/assets")
    copy("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js")
    copy("axe-core/axe.min.js", "axe/axe.min.js")
    copy("chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js")
    relative_asset_urls("govuk/govuk-frontend.min.css")
    relative_asset_urls("moj/moj-frontend.min.css")
    print(f"vendored front-end assets into {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
