"""Meeting dossiers: the compiled PDF and ZIP archive of a meeting's civil-society input.

The rendering engine is pure (no database, no routes): `render.build_dossier_pdf` and
`package.build_dossier_zip` take a frozen `render_spec.DossierSpec` and local files and write
files atomically.
"""
