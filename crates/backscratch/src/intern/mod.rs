//! Names to dense ids, on the floor below the readers that intern them (ingest, the cluster's
//! dictionary) and the graph that renumbers them: the open-addressing interner, its sharded
//! parallel form, the name arena, and the page-backed arrays they and the graph allocate.

pub(crate) mod interner;
pub(crate) mod names;
pub(crate) mod pages;
pub(crate) mod shards;
