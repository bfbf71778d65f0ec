"""Running eligo at scale: the Dask engine (:mod:`eligo.scale.dask_engine`).

The single-machine engine (processes of one pool) is in :mod:`eligo.parse`;
Parquet output and loading are in :mod:`eligo.store.parquet`.
"""
