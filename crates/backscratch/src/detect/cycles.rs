//! Exact search for directed simple cycles of length 3..=k, in parallel.
//!
//! Each cycle is found exactly once, from its smallest id (the *root*), walking only through
//! larger ids of the root's strongly connected component. Per root:
//! 1. a reverse breadth-first search gives every vertex's hop distance back to the root
//!    (`dist`), used to prune any path that cannot close within `k` hops;
//! 2. the *closing two-paths* `v -> u -> root` are listed once, grouped by `v`;
//! 3. a depth-first search walks forward paths of at most `k - 2` edges; at each path end `v`
//!    the cycles that close through a two-path from `v` are counted in one step (their
//!    number, minus the few whose middle vertex is already on the path) or, when the caller
//!    wants them, emitted one by one.
//!
//! Joining forward paths with closing two-paths at their meeting vertex saves the last two
//! levels of the search, where a plain depth-first search spends most of its time on paths
//! that never close (the "join" idea of hop-constrained path enumeration, Peng et al.,
//! VLDB 2019). Work is spread over roots with rayon; a root with a large search tree is split
//! further over its first and second hops (fine-grained parallelism in the manner of
//! Blanuša, Ienne and Atasu, SPAA 2022), so that one hub cannot serialise the search. Results
//! are sums and order-independent merges, hence identical for any thread count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::graph::scc::TRIVIAL;
use crate::graph::Graph;
use crate::intern::pages;

/// The longest cycle the search supports.
pub const MAX_CYCLE_LEN: usize = 8;

/// Per-length cycle counts; index `L` holds the number of cycles with `L` people.
pub type CycleCounts = [u64; MAX_CYCLE_LEN + 1];

/// Receives every cycle when the search enumerates. Vertices start at the root (the smallest
/// id); `edges[i]` is the edge from `vertices[i]` to the next vertex (the last closes the
/// cycle).
pub trait CycleVisitor: Send {
    /// Called once per cycle.
    fn cycle(&mut self, vertices: &[u32], edges: &[u32]);
    /// Fold another visitor's results into this one.
    fn merge(&mut self, other: Self);
}

/// A visitor that ignores cycles, for count-only searches.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NoVisitor;

impl CycleVisitor for NoVisitor {
    fn cycle(&mut self, _: &[u32], _: &[u32]) {}
    fn merge(&mut self, _: Self) {}
}

/// What a search returns.
#[derive(Debug)]
pub struct SearchOutcome<V> {
    /// Exact counts per length (lower bounds when `stopped`).
    pub counts: CycleCounts,
    /// The merged visitor.
    pub visitor: V,
    /// Whether the stop flag ended the search early.
    pub stopped: bool,
}

/// Search settings.
#[derive(Clone, Copy)]
pub(crate) struct SearchParams<'a> {
    /// Longest cycle, 3..=[`MAX_CYCLE_LEN`].
    pub max_len: usize,
    /// Component labels from [`crate::graph::scc::component_labels`].
    pub components: &'a [u32],
    /// Raised by the caller (e.g. a time budget) to stop the search early.
    pub stop: &'a AtomicBool,
}

/// Count every cycle of length 3..=`max_len` and, if `ENUMERATE`, hand each to a visitor
/// made by `make_visitor` (one per parallel task; all merged at the end).
pub(crate) fn search<const ENUMERATE: bool, V, F>(
    g: &Graph,
    params: SearchParams<'_>,
    make_visitor: F,
) -> SearchOutcome<V>
where
    V: CycleVisitor,
    F: Fn() -> V + Sync,
{
    let roots = search_roots(g, params.components);
    search_from::<ENUMERATE, V, F>(g, params, &roots, make_visitor)
}

/// The people a search starts from: everyone in a strongly connected component of two or
/// more, in id order. Every cycle is found from its smallest member.
pub(crate) fn search_roots(g: &Graph, components: &[u32]) -> Vec<u32> {
    (0..g.node_count() as u32).filter(|&r| components[r as usize] != TRIVIAL).collect()
}

/// [`search`] from `roots` only (a part of [`search_roots`]): the cycles whose smallest
/// member is one of them. Visitors are merged in root order, so a visitor that appends
/// what it sees gets the cycles in the same order however the work was split.
pub(crate) fn search_from<const ENUMERATE: bool, V, F>(
    g: &Graph,
    params: SearchParams<'_>,
    roots: &[u32],
    make_visitor: F,
) -> SearchOutcome<V>
where
    V: CycleVisitor,
    F: Fn() -> V + Sync,
{
    assert!((3..=MAX_CYCLE_LEN).contains(&params.max_len), "max_len must be within 3..={MAX_CYCLE_LEN}");
    let pool = ScratchPool { free: Mutex::new(Vec::new()), components: params.components };
    let engine =
        Engine { g, k: params.max_len, horizon: horizon(params.max_len), stop: params.stop, make: &make_visitor };
    let acc = roots
        .par_iter()
        .with_max_len(64)
        .fold(
            || Acc::new(&make_visitor),
            |mut acc, &r| {
                if params.stop.load(Ordering::Relaxed) {
                    acc.stopped = true;
                } else {
                    let mut scratch = pool.take();
                    scratch.prepare(g, r, engine.horizon);
                    engine.root::<ENUMERATE, V>(r, &scratch, &mut acc);
                    scratch.reset();
                    pool.give(scratch);
                }
                acc
            },
        )
        .reduce(|| Acc::new(&make_visitor), Acc::merged);
    // Only work actually left undone makes the outcome stopped: a flag raised after the last
    // root finished does not.
    SearchOutcome { counts: acc.counts, visitor: acc.visitor, stopped: acc.stopped }
}

/// Counts and visitor of one parallel task.
struct Acc<V> {
    counts: CycleCounts,
    visitor: V,
    /// Whether this task left work undone because of the stop flag.
    stopped: bool,
}

impl<V: CycleVisitor> Acc<V> {
    fn new(make: &impl Fn() -> V) -> Self {
        Acc { counts: [0; MAX_CYCLE_LEN + 1], visitor: make(), stopped: false }
    }
    fn merged(mut self, other: Self) -> Self {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.visitor.merge(other.visitor);
        self.stopped |= other.stopped;
        self
    }
}

const NO_CLOSURE: u32 = u32::MAX;
/// How many candidates ahead the reverse search prefetches.
const LOOKAHEAD: usize = 8;
/// A subtree whose children have at least this many out-edges in total is split over threads.
const SPLIT_WORK: usize = 2048;

/// A closing two-path `from -> via -> root`, linked to the next one with the same `from`.
#[derive(Clone, Copy, Debug)]
struct Closure {
    via: u32,
    from_via: u32,
    via_root: u32,
    next: u32,
}

/// What the search knows of one vertex, packed so that one cache line read answers every
/// question the inner loops ask about it (its component, its distance back to the root,
/// its closing two-paths): on graphs far larger than the cache, each of those was a miss of
/// its own when they lived in separate arrays.
#[derive(Clone, Copy)]
struct Mark {
    /// Component label (a copy of the search's labels).
    comp: u32,
    /// First closing two-path from this vertex (a linked list through `closures`).
    head: u32,
    /// Hop distance back to the root in the low [`DIST_BITS`] bits, number of closing
    /// two-paths above them (saturating at [`MAX_COUNT`]; then the list is counted).
    dist_count: u32,
}

const DIST_BITS: u32 = 3;
const DIST_MASK: u32 = (1 << DIST_BITS) - 1;
/// Distance of a vertex the reverse search did not reach.
const UNSEEN: u8 = DIST_MASK as u8;
const MAX_COUNT: u32 = u32::MAX >> DIST_BITS;

impl Mark {
    fn dist(self) -> u8 {
        (self.dist_count & DIST_MASK) as u8
    }
    fn count(self) -> u32 {
        self.dist_count >> DIST_BITS
    }
}

/// Per-root working memory, reused across roots (reset by the `touched` list).
struct Scratch {
    marks: Vec<Mark>,
    /// Level-2 candidates `from -> via -> root` of the reverse search.
    candidates: Vec<(u32, Closure)>,
    touched: Vec<u32>,
    closures: Vec<Closure>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl Scratch {
    fn new(components: &[u32]) -> Self {
        Scratch {
            marks: crate::intern::pages::collected(
                components.len(),
                components.iter().map(|&comp| Mark { comp, head: NO_CLOSURE, dist_count: u32::from(UNSEEN) }),
            ),
            candidates: Vec::new(),
            touched: Vec::new(),
            closures: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
        }
    }

    fn set_dist(&mut self, v: u32, d: u8) {
        let m = &mut self.marks[v as usize];
        m.dist_count = (m.dist_count & !DIST_MASK) | u32::from(d);
        self.touched.push(v);
    }

    /// Reverse BFS from `root` (larger ids of its component, up to `horizon` hops) and the
    /// closing two-paths, which are exactly the edges the BFS walks on its second level.
    fn prepare(&mut self, g: &Graph, root: u32, horizon: usize) {
        let c = self.marks[root as usize].comp;
        self.frontier.clear();
        for &via in g.in_neighbors(root) {
            if via > root && self.marks[via as usize].comp == c {
                self.set_dist(via, 1);
                self.frontier.push(via);
            }
        }
        // Level 2: every edge `from -> via` into a level-1 vertex closes a two-path. The
        // candidates are gathered first, so that their marks (a cache miss each on a large
        // graph) can be prefetched a few ahead.
        self.next.clear();
        self.candidates.clear();
        for (&via, &via_root) in g.in_neighbors(root).iter().zip(g.in_edge_ids(root)) {
            if via <= root || self.marks[via as usize].dist() != 1 {
                continue;
            }
            for (&from, &from_via) in g.in_neighbors(via).iter().zip(g.in_edge_ids(via)) {
                if from > root {
                    self.candidates.push((from, Closure { via, from_via, via_root, next: NO_CLOSURE }));
                }
            }
        }
        for i in 0..self.candidates.len() {
            if let Some(&(ahead, _)) = self.candidates.get(i + LOOKAHEAD) {
                pages::prefetch(&self.marks, ahead as usize);
            }
            let (from, closure) = self.candidates[i];
            let m = self.marks[from as usize];
            if m.comp != c {
                continue;
            }
            if m.dist() == UNSEEN {
                self.set_dist(from, 2);
                self.next.push(from);
            }
            let at = self.closures.len() as u32;
            let m = &mut self.marks[from as usize];
            self.closures.push(Closure { next: m.head, ..closure });
            m.head = at;
            if m.count() < MAX_COUNT {
                m.dist_count += 1 << DIST_BITS;
            }
        }
        std::mem::swap(&mut self.frontier, &mut self.next);
        for d in 3..=horizon as u8 {
            if self.frontier.is_empty() {
                break;
            }
            self.next.clear();
            for i in 0..self.frontier.len() {
                let x = self.frontier[i];
                for &y in g.in_neighbors(x) {
                    let m = self.marks[y as usize];
                    if y > root && m.comp == c && m.dist() == UNSEEN {
                        self.set_dist(y, d);
                        self.next.push(y);
                    }
                }
            }
            std::mem::swap(&mut self.frontier, &mut self.next);
        }
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            let m = &mut self.marks[v as usize];
            m.head = NO_CLOSURE;
            m.dist_count = u32::from(UNSEEN);
        }
        self.touched.clear();
        self.closures.clear();
    }

    /// The distance of `v` back to the root ([`UNSEEN`] if more than the horizon).
    fn dist(&self, v: u32) -> u8 {
        self.marks[v as usize].dist()
    }

    /// The number of closing two-paths from `v`.
    fn closure_count(&self, v: u32) -> u32 {
        let m = self.marks[v as usize];
        if m.count() < MAX_COUNT {
            m.count()
        } else {
            self.closures_from(v).count() as u32
        }
    }

    /// The closing two-paths that start at `v`.
    fn closures_from(&self, v: u32) -> impl Iterator<Item = &Closure> + '_ {
        let mut at = self.marks[v as usize].head;
        std::iter::from_fn(move || {
            let c = self.closures.get(at as usize)?;
            at = c.next;
            Some(c)
        })
    }
}

/// Scratch buffers for whichever thread needs one (a thread blocked in a nested parallel
/// loop may start another root, so buffers are not tied to threads).
struct ScratchPool<'a> {
    free: Mutex<Vec<Scratch>>,
    components: &'a [u32],
}

impl ScratchPool<'_> {
    fn take(&self) -> Scratch {
        let reused = self.free.lock().expect("scratch pool poisoned").pop();
        reused.unwrap_or_else(|| Scratch::new(self.components))
    }
    fn give(&self, s: Scratch) {
        self.free.lock().expect("scratch pool poisoned").push(s);
    }
}

/// A path from the root: vertices and the edges between them.
#[derive(Clone, Copy)]
struct Path {
    vertices: [u32; MAX_CYCLE_LEN],
    edges: [u32; MAX_CYCLE_LEN],
    len: usize,
}

impl Path {
    fn contains(&self, v: u32) -> bool {
        self.vertices[..self.len].contains(&v)
    }
    fn last(&self) -> u32 {
        self.vertices[self.len - 1]
    }
    fn push(&mut self, v: u32, edge: u32) {
        self.edges[self.len - 1] = edge;
        self.vertices[self.len] = v;
        self.len += 1;
    }
}

/// How far back from the root the reverse search looks. Distances prune the forward search
/// only in its last `horizon - 1` levels, but a deeper reverse search costs about
/// `degree^horizon` per root; half the cycle length balances the two halves of the search
/// (meet in the middle), and at least 2 is always needed for the closing two-paths.
fn horizon(k: usize) -> usize {
    k.div_ceil(2).clamp(2, k - 1)
}

struct Engine<'a, F> {
    g: &'a Graph,
    k: usize,
    horizon: usize,
    stop: &'a AtomicBool,
    make: &'a F,
}

impl<F> Engine<'_, F> {
    fn root<const ENUMERATE: bool, V>(&self, r: u32, s: &Scratch, acc: &mut Acc<V>)
    where
        V: CycleVisitor,
        F: Fn() -> V + Sync,
    {
        if s.closures.is_empty() {
            return; // nothing closes back to the root within two hops: no cycle here
        }
        let mut path = Path { vertices: [0; MAX_CYCLE_LEN], edges: [0; MAX_CYCLE_LEN], len: 1 };
        path.vertices[0] = r;
        self.extend::<ENUMERATE, V>(s, &mut path, acc);
    }

    /// The children worth walking into from the end of `path`: (vertex, edge id) for every
    /// larger-than-root out-neighbour not on the path that can still get back in time.
    fn children<'s>(&'s self, s: &'s Scratch, path: &'s Path) -> impl Iterator<Item = (u32, u32)> + 's {
        let v = path.last();
        let out = self.g.out_neighbors(v);
        let first = out.partition_point(|&u| u <= path.vertices[0]);
        let base = self.g.first_out_edge(v);
        let budget = self.k - path.len; // hops left after stepping to the child
        let component = s.marks[path.vertices[0] as usize].comp;
        // Beyond the horizon an unseen vertex may still get back in time if it is in the
        // root's component; within it, unseen means it cannot.
        let unseen_may_return = budget > self.horizon;
        out[first..].iter().enumerate().filter_map(move |(i, &u)| {
            let m = s.marks[u as usize];
            let d = m.dist();
            let may_return = if d == UNSEEN { unseen_may_return && m.comp == component } else { d as usize <= budget };
            (may_return && !path.contains(u)).then_some((u, base + (first + i) as u32))
        })
    }

    fn extend<const ENUMERATE: bool, V>(&self, s: &Scratch, path: &mut Path, acc: &mut Acc<V>)
    where
        V: CycleVisitor,
        F: Fn() -> V + Sync,
    {
        if self.stop.load(Ordering::Relaxed) {
            acc.stopped = true;
            return;
        }
        let t = path.len - 1;
        if t >= 1 {
            self.close::<ENUMERATE, V>(s, path, acc);
        }
        if t + 1 > self.k - 2 {
            return;
        }
        // Split a large subtree over threads; only worth it near the top of a deep search.
        if t == 0 || (t == 1 && self.k >= 5) {
            let work: usize = self.children(s, path).map(|(u, _)| self.g.out_neighbors(u).len()).sum();
            if work >= SPLIT_WORK {
                let kids: Vec<(u32, u32)> = self.children(s, path).collect();
                let base = *path;
                let part = kids
                    .par_iter()
                    .fold(
                        || Acc::new(self.make),
                        |mut a, &(u, e)| {
                            let mut p = base;
                            p.push(u, e);
                            self.extend::<ENUMERATE, V>(s, &mut p, &mut a);
                            a
                        },
                    )
                    .reduce(|| Acc::new(self.make), Acc::merged);
                let mine = std::mem::replace(acc, Acc::new(self.make));
                *acc = mine.merged(part);
                return;
            }
        }
        let snapshot = *path;
        for (u, e) in self.children(s, &snapshot) {
            path.push(u, e);
            self.extend::<ENUMERATE, V>(s, path, acc);
            path.len -= 1;
        }
    }

    /// Cycles that close from the end of `path` through a two-path back to the root.
    fn close<const ENUMERATE: bool, V: CycleVisitor>(&self, s: &Scratch, path: &Path, acc: &mut Acc<V>) {
        let v = path.last();
        let available = s.closure_count(v);
        if available == 0 {
            return;
        }
        let len = path.len + 1;
        if ENUMERATE {
            let mut vertices = path.vertices;
            let mut edges = path.edges;
            for c in s.closures_from(v) {
                if path.contains(c.via) {
                    continue;
                }
                vertices[path.len] = c.via;
                edges[path.len - 1] = c.from_via;
                edges[path.len] = c.via_root;
                acc.counts[len] += 1;
                acc.visitor.cycle(&vertices[..len], &edges[..len]);
            }
        } else {
            // All of them, less those whose middle vertex is already on the path: an interior
            // vertex p is such a middle vertex exactly when p -> root (dist 1) and v -> p.
            let mut n = u64::from(available);
            for &p in &path.vertices[1..path.len - 1] {
                if s.dist(p) == 1 && self.g.out_neighbors(v).binary_search(&p).is_ok() {
                    n -= 1;
                }
            }
            acc.counts[len] += n;
        }
    }
}
