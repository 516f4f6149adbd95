"""Compiles the client page's translation catalogues (.po -> .mo) while the package is built.

The .po files are the reviewed source; the .mo files are build output (gitignored), so a
wheel, `pip install .` and `pip install -e .` all ship working translations.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = Path("teleframe", "web", "translations")


def compile_catalogues(root: Path) -> None:
    for po_path in sorted(CATALOGUES.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parts[-3])
        mo_path = root / po_path.with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=False)


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        # an editable install reads the source tree, so the catalogues are compiled there
        compile_catalogues(Path() if self.editable_mode else Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithCatalogues})
