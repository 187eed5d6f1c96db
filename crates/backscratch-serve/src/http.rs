//! `serve --listen`: the engine over HTTP/JSON (axum on hyper and tokio), versioned under
//! `/v1`. Handlers only read and check requests; every one that needs the graph goes to the
//! judge's bounded queue ([`crate::judge`]) and a full queue is answered at once with 503 and
//! `Retry-After`, never held. With a token, every route wants `Authorization: Bearer TOKEN`.
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/recommendations` | one recommendation (a JSON object) or many (NDJSON, one per line); all are stored or none; the answers as NDJSON, one per line, after they are durable |
//! | `GET /v1/totals` | the totals, after every row accepted before |
//! | `GET /v1/people/{name}` | what the graph holds about one person (404 if nobody) |
//! | `GET /v1/report` | the latest judgement: the JSON report `scan --format json` makes of the rows it judged |
//! | `POST /v1/rejudge` | make a judgement of every row held now, and wait for it |
//! | `POST /v1/check` | `check` the people named in the body (one per line) over every row held now |
//! | `GET /v1/cases?severity=S` | the latest judgement's listed cases at `S` (default `medium`) or above |
//! | `GET /v1/findings?severity=S` | its listed findings at `S` or above |
//! | `GET /v1/health` | `{"status": "ok"}` while the store works (503 after it failed) |
//! | `GET /v1/metrics` | counters and gauges in Prometheus' text format |

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{mpsc, oneshot};

use crate::engine::{Engine, Totals};
use crate::judge::{Job, Judge, Published};
use crate::judgement::{Activity, Ask, Judgement, Judger, Latest};
use crate::store::{Row, Store};
use crate::wire::{request, Reply, Request as Line};
use crate::Error;

/// How the server listens and what it bounds.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// The bearer token every request must carry, if any.
    pub token: Option<String>,
    /// Largest request body, in bytes (larger: 413, nothing stored).
    pub max_body: usize,
    /// Requests that may wait for the judge (more: 503 with `Retry-After`).
    pub queue: usize,
}

/// Requests refused before they reached the judge, by why.
#[derive(Default)]
struct Refused {
    busy: AtomicU64,
    unauthorized: AtomicU64,
    too_large: AtomicU64,
    malformed: AtomicU64,
}

struct App {
    queue: mpsc::Sender<Job>,
    asks: std::sync::mpsc::SyncSender<Ask>,
    latest: Latest,
    judging: Arc<Activity>,
    published: Arc<Mutex<Published>>,
    token: Option<String>,
    refused: Refused,
    requests: AtomicU64,
}

/// Serve until SIGTERM or SIGINT; then stop taking connections, answer every request already
/// taken (its rows are durable first) and return the final totals. `ready` is told the
/// address once the server listens.
pub fn serve(config: Config, store: Store, engine: Engine, ready: impl FnOnce(SocketAddr)) -> Result<Totals, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    // Bind first: a taken port is an error at once, before any thread starts.
    let listener = runtime.block_on(tokio::net::TcpListener::bind(config.listen))?;
    let judger = Judger::spawn(store.reader(), engine.limits().max_len);
    let judging = (judger.trigger(store.len()), Arc::clone(&judger.latest));
    let judge = Judge::spawn(store, engine, config.queue, Some(judging));
    let app = Arc::new(App {
        queue: judge.queue.clone(),
        asks: judger.asks.clone(),
        latest: Arc::clone(&judger.latest),
        judging: Arc::clone(&judger.activity),
        published: Arc::clone(&judge.published),
        token: config.token.clone(),
        refused: Refused::default(),
        requests: AtomicU64::new(0),
    });
    ready(listener.local_addr()?);
    let served = runtime.block_on(async move {
        let routes = Router::new()
            .route("/v1/recommendations", post(submit))
            .route("/v1/totals", get(totals))
            .route("/v1/people/{name}", get(person))
            .route("/v1/report", get(report))
            .route("/v1/rejudge", post(rejudge))
            .route("/v1/check", post(check))
            .route("/v1/cases", get(cases))
            .route("/v1/findings", get(findings))
            .route("/v1/health", get(health))
            .route("/v1/metrics", get(metrics))
            .layer(DefaultBodyLimit::max(config.max_body))
            .layer(middleware::from_fn_with_state(Arc::clone(&app), authorize))
            .with_state(app);
        axum::serve(listener, routes).with_graceful_shutdown(stop_signal()).await
    });
    runtime.shutdown_background();
    let totals = judge.join()?;
    // A judgement still running only reads: it is left to end with the process, so that a
    // stop does not wait for a scan of everything.
    drop(judger);
    served?;
    Ok(totals)
}

async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut r = Response::new(Body::from(value.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    json(status, &serde_json::json!({ "error": message.to_string() }))
}

fn busy(app: &App, full: bool) -> Response {
    if full {
        app.refused.busy.fetch_add(1, Ordering::Relaxed);
        let mut r = error(StatusCode::SERVICE_UNAVAILABLE, "busy: too many requests are waiting; retry shortly");
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    } else {
        error(StatusCode::SERVICE_UNAVAILABLE, "the service is stopping or its store failed")
    }
}

/// Hand `job` to the judge and wait for its reply, or push back.
async fn ask<T>(app: &App, job: impl FnOnce(oneshot::Sender<T>) -> Job) -> Result<T, Response> {
    let (tx, rx) = oneshot::channel();
    match app.queue.try_send(job(tx)) {
        Ok(()) => rx.await.map_err(|_| busy(app, false)),
        Err(mpsc::error::TrySendError::Full(_)) => Err(busy(app, true)),
        Err(mpsc::error::TrySendError::Closed(_)) => Err(busy(app, false)),
    }
}

async fn authorize(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    app.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(token) = &app.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| same(g.trim().as_bytes(), token.as_bytes())) {
            app.refused.unauthorized.fetch_add(1, Ordering::Relaxed);
            let mut r = error(StatusCode::UNAUTHORIZED, "a bearer token is required (Authorization: Bearer TOKEN)");
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    next.run(req).await
}

/// Compare without stopping at the first difference, so timing does not reveal the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The body's recommendations, or the first line that is not one.
fn read_rows(body: &[u8]) -> Result<Vec<Row>, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("the body is not UTF-8: {e}"))?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return Err("the body is empty: send a recommendation, or several as NDJSON".into());
    }
    let mut rows = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        match if line.trim().is_empty() { Line::Bad("an empty line".into()) } else { request(line) } {
            Line::Row(row) => rows.push(row),
            Line::Totals => return Err(format!("line {}: not a recommendation (GET /v1/totals)", i + 1)),
            Line::Bad(why) => return Err(format!("line {}: {why}", i + 1)),
        }
    }
    Ok(rows)
}

/// The body, or the answer to a body that could not be read (413 past `--max-body`).
fn body_or_refusal(app: &App, body: Result<Bytes, BytesRejection>) -> Result<Bytes, Response> {
    body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            app.refused.too_large.fetch_add(1, Ordering::Relaxed);
            return error(status, "the body is larger than --max-body; nothing was stored");
        }
        app.refused.malformed.fetch_add(1, Ordering::Relaxed);
        error(status, rejection.body_text())
    })
}

async fn submit(State(app): State<Arc<App>>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_refusal(&app, body) {
        Ok(b) => b,
        Err(refusal) => return refusal,
    };
    let rows = match read_rows(&body) {
        Ok(rows) => rows,
        Err(why) => {
            app.refused.malformed.fetch_add(1, Ordering::Relaxed);
            return error(StatusCode::BAD_REQUEST, format!("{why}; nothing was stored"));
        }
    };
    let answers = match ask(&app, |reply| Job::Rows { rows, reply }).await {
        Ok(Ok(answers)) => answers,
        Ok(Err(why)) => return error(StatusCode::INTERNAL_SERVER_ERROR, why),
        Err(refusal) => return refusal,
    };
    let mut out = Vec::with_capacity(answers.len() * 96);
    for (i, answer) in answers.iter().enumerate() {
        // Serializing our own types into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &Reply { line: i as u64 + 1, answer });
        out.push(b'\n');
    }
    let mut r = Response::new(Body::from(out));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    r
}

async fn totals(State(app): State<Arc<App>>) -> Response {
    match ask(&app, Job::Totals).await {
        Ok(t) => json(StatusCode::OK, &serde_json::json!({ "totals": t })),
        Err(refusal) => refusal,
    }
}

async fn person(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    match ask(&app, |reply| Job::Person { name: name.clone(), reply }).await {
        Ok(Some(p)) => {
            let judged = app.latest.read().unwrap_or_else(|p| p.into_inner()).clone();
            let record = judged.as_ref().and_then(|j| j.report.people.iter().find(|q| q.name == p.name));
            let judged = judged.as_ref().map(|j| serde_json::json!({ "judged_rows": j.rows, "record": record }));
            json(StatusCode::OK, &serde_json::json!({ "person": p, "judged": judged }))
        }
        Ok(None) => {
            error(StatusCode::NOT_FOUND, format!("nobody named '{name}' has been recommended or recommended anyone"))
        }
        Err(refusal) => refusal,
    }
}

/// Hand `ask` to the judging thread and wait for its reply, or push back.
async fn ask_judger<T>(app: &App, ask: impl FnOnce(oneshot::Sender<T>) -> Ask) -> Result<T, Response> {
    let (tx, rx) = oneshot::channel();
    match app.asks.try_send(ask(tx)) {
        Ok(()) => rx.await.map_err(|_| busy(app, false)),
        Err(std::sync::mpsc::TrySendError::Full(_)) => Err(busy(app, true)),
        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => Err(busy(app, false)),
    }
}

fn latest(app: &App) -> Result<Arc<Judgement>, Response> {
    app.latest.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(|| {
        error(StatusCode::NOT_FOUND, "no judgement yet: none is made before the first recommendation; POST /v1/rejudge")
    })
}

fn judged_json(j: &Judgement, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert("x-judged-rows", HeaderValue::from(j.rows));
    r
}

async fn report(State(app): State<Arc<App>>) -> Response {
    match latest(&app) {
        Ok(j) => judged_json(&j, j.json().to_string()),
        Err(refusal) => refusal,
    }
}

fn summary(j: &Judgement) -> serde_json::Value {
    serde_json::json!({ "judged_rows": j.rows, "seconds": j.seconds, "summary": j.report.summary })
}

async fn rejudge(State(app): State<Arc<App>>) -> Response {
    match ask_judger(&app, |reply| Ask::Rejudge(Some(reply))).await {
        Ok(Ok(j)) => judged_json(&j, summary(&j).to_string()),
        Ok(Err(why)) => error(StatusCode::CONFLICT, why),
        Err(refusal) => refusal,
    }
}

async fn check(State(app): State<Arc<App>>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_refusal(&app, body) {
        Ok(b) => b,
        Err(refusal) => return refusal,
    };
    let names: Vec<String> =
        String::from_utf8_lossy(&body).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    if names.is_empty() {
        return error(StatusCode::BAD_REQUEST, "name the people to check, one per line");
    }
    match ask_judger(&app, |reply| Ask::Check(names, reply)).await {
        Ok(Ok(json)) => {
            let mut r = Response::new(Body::from(json));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Ok(Err(why)) => error(StatusCode::CONFLICT, why),
        Err(refusal) => refusal,
    }
}

/// The `severity` of a query (default `medium`).
fn severity(query: Option<&str>) -> Result<backscratch::score::Severity, Response> {
    let asked = query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("severity="))).unwrap_or("medium");
    serde_json::from_value(serde_json::Value::String(asked.to_string())).map_err(|_| {
        error(StatusCode::BAD_REQUEST, format!("severity '{asked}' is not one of info, low, medium, high"))
    })
}

/// The latest judgement's listed cases or findings at the query's severity or above.
fn listed(app: &App, query: Option<&str>, cases: bool) -> Response {
    let (at_least, j) = match (severity(query), latest(app)) {
        (Ok(s), Ok(j)) => (s, j),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let r = &j.report;
    let body = if cases {
        let kept: Vec<_> = r.cases.iter().filter(|c| c.severity >= at_least).collect();
        serde_json::json!({ "judged_rows": j.rows, "cases": kept })
    } else {
        let kept: Vec<_> = r.findings.iter().filter(|f| f.severity >= at_least).collect();
        serde_json::json!({ "judged_rows": j.rows, "findings": kept })
    };
    judged_json(&j, body.to_string())
}

async fn cases(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    listed(&app, query.as_deref(), true)
}

async fn findings(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    listed(&app, query.as_deref(), false)
}

async fn health(State(app): State<Arc<App>>) -> Response {
    let p = app.published.lock().unwrap_or_else(|p| p.into_inner());
    match &p.failed {
        None => json(StatusCode::OK, &serde_json::json!({ "status": "ok", "rows": p.totals.rows })),
        Some(why) => json(StatusCode::SERVICE_UNAVAILABLE, &serde_json::json!({ "status": "failed", "error": why })),
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let p = app.published.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut r = Response::new(Body::from(prometheus(&app, &p)));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

fn prometheus(app: &App, p: &Published) -> String {
    let t = &p.totals;
    let mut s = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, f64)]| {
        let _ = writeln!(s, "# HELP backscratch_{name} {help}\n# TYPE backscratch_{name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(s, "backscratch_{name}{labels} {value}");
        }
    };
    let one = |v: u64| [(String::new(), v as f64)];
    metric("rows_total", "counter", "Rows taken, recovered ones included.", &one(t.rows));
    metric("recovered_rows", "gauge", "Rows replayed from the store at start.", &one(p.recovered));
    metric("recommendations", "gauge", "Distinct recommendations in the graph.", &one(t.recommendations));
    metric("people", "gauge", "People in the graph.", &one(t.people));
    metric("duplicates_total", "counter", "Rows repeating an earlier recommendation.", &one(t.duplicates));
    metric("self_recommendations_total", "counter", "Self-recommendations.", &one(t.self_recommendations));
    let skipped: Vec<(String, f64)> =
        t.skipped.iter().map(|(why, &n)| (format!("{{reason=\"{why}\"}}"), n as f64)).collect();
    metric("skipped_total", "counter", "Rows skipped, by reason.", &skipped);
    metric("pairs_total", "counter", "Reciprocal pairs closed.", &one(t.pairs));
    let cycles: Vec<(String, f64)> =
        t.cycles.iter().map(|(len, &n)| (format!("{{length=\"{len}\"}}"), n as f64)).collect();
    metric("cycles_total", "counter", "Cycles closed, by length.", &cycles);
    metric("incomplete_total", "counter", "Answers whose search hit --budget.", &one(t.incomplete));
    metric("commits_total", "counter", "Store commits (one fsync each).", &one(p.commits));
    metric("commit_seconds_total", "counter", "Seconds spent committing.", &[(String::new(), p.commit_seconds)]);
    metric("search_seconds_total", "counter", "Seconds spent judging rows.", &[(String::new(), p.search_seconds)]);
    metric("requests_total", "counter", "HTTP requests received.", &one(app.requests.load(Ordering::Relaxed)));
    let refused = &app.refused;
    let by_reason: Vec<(String, f64)> = [
        ("busy", &refused.busy),
        ("unauthorized", &refused.unauthorized),
        ("too-large", &refused.too_large),
        ("malformed", &refused.malformed),
    ]
    .iter()
    .map(|(why, n)| (format!("{{reason=\"{why}\"}}"), n.load(Ordering::Relaxed) as f64))
    .collect();
    metric("refused_total", "counter", "Requests refused before the judge, by reason.", &by_reason);
    let judged = app.latest.read().unwrap_or_else(|p| p.into_inner()).as_ref().map_or(0, |j| j.rows);
    metric("judged_rows", "gauge", "Rows the latest judgement read (0: none yet).", &one(judged));
    let made = app.judging.made.load(Ordering::Relaxed);
    metric("judgements_total", "counter", "Judgements made since the start.", &one(made));
    let busy = u64::from(app.judging.busy.load(Ordering::Acquire));
    metric("judging", "gauge", "1 while a judgement or a check is running.", &one(busy));
    let waiting = app.queue.max_capacity() - app.queue.capacity();
    metric("queue_waiting", "gauge", "Requests waiting for the judge.", &one(waiting as u64));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_one_object_or_ndjson_and_a_bad_line_refuses_it_all() {
        assert_eq!(read_rows(b"{\"from\":\"a\",\"to\":\"b\"}").unwrap().len(), 1);
        assert_eq!(read_rows(b"{\"from\":\"a\",\"to\":\"b\"}\r\n{\"from\":1,\"to\":2}\n").unwrap()[1].from, "1");
        assert_eq!(
            read_rows(b"{\"from\":\"a\",\"to\":\"b\"}\n{\"to\":2}").unwrap_err(),
            "line 2: 'from' is missing: a recommendation needs \"from\" and \"to\""
        );
        assert!(read_rows(b"\n").unwrap_err().starts_with("the body is empty"));
        assert!(read_rows(b"\xff").unwrap_err().starts_with("the body is not UTF-8"));
        assert!(read_rows(b"{\"op\":\"totals\"}").unwrap_err().contains("not a recommendation"));
        assert!(read_rows(b"{\"from\":\"a\",\"to\":\"b\"}\n\n{\"from\":\"a\",\"to\":\"b\"}")
            .unwrap_err()
            .starts_with("line 2: an empty line"));
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secre", b"secret"));
    }
}
