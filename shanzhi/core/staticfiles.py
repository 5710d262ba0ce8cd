"""Static files as every mode serves them: compressed (gzip + brotli), fingerprinted names, cached for a year.

`shanzhi collectstatic` (run by scripts/run and the deployment) writes the hashed, compressed copies to STATIC_ROOT;
whitenoise serves hashed names with `Cache-Control: max-age=315360000, immutable`. Until collectstatic has run
(a developer's first `shanzhi runserver`), a name missing from the manifest falls back to the plain name, which
whitenoise then serves from the app folders — a page never fails for want of a manifest.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ShanzhiStaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
