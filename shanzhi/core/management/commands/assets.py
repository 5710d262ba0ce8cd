"""Copy the pinned front-end packages from node_modules into shanzhi/static/vendor (never committed), and trim
Tabler's stylesheet to the selectors the templates, Python and scripts use (PurgeCSS, purgecss.config.cjs)."""

import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# destination folder → [(source path inside node_modules, destination name)]
ASSETS = {
    "tabler/css": [("@tabler/core/dist/css/tabler.min.css", "tabler.min.css")],
    "htmx": [("htmx.org/dist/htmx.min.js", "htmx.min.js")],
    "echarts": [("echarts/dist/echarts.min.js", "echarts.min.js")],
    "leaflet": [("leaflet/dist/leaflet.js", "leaflet.js"), ("leaflet/dist/leaflet.css", "leaflet.css"),
                ("leaflet/dist/images", "images")],
    "jsqr": [("jsqr/dist/jsQR.js", "jsQR.js")],  # the paper forms' scan page (paperforms/scan.js)
    "swagger-ui": [("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"),
                   ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css")],
}


class Command(BaseCommand):
    help = "把 node_modules 中的前端依赖复制到 static/vendor"
    requires_system_checks = []  # scripts/setup runs it before `shanzhi init` has written any key

    def add_arguments(self, parser):
        parser.add_argument("--node-modules", default=str(settings.ROOT_DIR / "node_modules"))

    def handle(self, *args, node_modules, **opts):
        src_root = Path(node_modules)
        if not src_root.is_dir():
            raise CommandError(f"找不到 {src_root}，请先运行 npm ci")
        dest_root = settings.BASE_DIR / "static" / "vendor"
        for folder, items in ASSETS.items():
            dest = dest_root / folder
            dest.mkdir(parents=True, exist_ok=True)
            for src, name in items:
                s = src_root / src
                if not s.exists():
                    raise CommandError(f"缺少前端文件 {s}")
                if s.is_dir():
                    shutil.copytree(s, dest / name, dirs_exist_ok=True)
                else:
                    shutil.copy2(s, dest / name)
        self.stdout.write(f"front-end assets copied to {dest_root}")
        self._purge(src_root, dest_root / "tabler" / "css")
        for f in [*dest_root.rglob("*.js"), *dest_root.rglob("*.css")]:
            _drop_source_map(f)

    def _purge(self, src_root: Path, css_dir: Path):
        """tabler.min.css → the trimmed build (the full file stays beside it as tabler.full.min.css)."""
        full = css_dir / "tabler.full.min.css"
        shutil.copy2(src_root / "@tabler/core/dist/css/tabler.min.css", full)
        script = settings.ROOT_DIR / "scripts" / "purgecss.cjs"
        node = shutil.which("node")
        if not node or not (src_root / "purgecss").is_dir():
            self.stderr.write("node or purgecss missing: serving the full Tabler stylesheet")
            return
        done = subprocess.run([node, str(script), str(full), str(css_dir / "tabler.min.css")], capture_output=True,  # noqa: S603 - our own script and paths
                              text=True, timeout=120, check=False)
        if done.returncode:
            shutil.copy2(full, css_dir / "tabler.min.css")
            self.stderr.write(f"purgecss failed, serving the full stylesheet: {done.stderr.strip()}")
        else:
            self.stdout.write(done.stdout.strip())


SOURCE_MAP = re.compile(rb"\n?(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


def _drop_source_map(path: Path):
    """The packages ship no .map files we copy: drop the reference, which collectstatic would fail to hash."""
    data = path.read_bytes()
    trimmed = SOURCE_MAP.sub(b"\n", data)
    if trimmed != data:
        path.write_bytes(trimmed)
