//! The API router driven in-process with `tower::ServiceExt::oneshot`, over a real engine
//! (SQLite in a temporary dir, its callback listener on a loopback port) and the real
//! embedded webchat simulator, or a closed loopback port where webchat must be down.
//! Covers the token guard (`Authorization: Bearer`, `?token=`, wrong or missing token,
//! the open `/api/health`), the `Origin` check, the mapping of engine errors to HTTP
//! statuses and `{"error": {kind, …}}` bodies, the server-sent event stream, and what a
//! malformed JSON body gets.

mod rig {
    use std::path::PathBuf;

    use axum::body::{to_bytes, Body};
    use axum::http::{header, Method, Request, StatusCode};
    use axum::response::Response;
    use axum::Router;
    use serde_json::Value;
    use tokio::net::TcpListener;
    use tower::ServiceExt;
    use wxsim_engine::{Engine, EngineOptions, Profile};
    use wxsim_webchat::{SimConfig, SimHandle};

    pub const TOKEN: &str = "s3cret-token";
    /// The `Host` every request carries, as a browser's would for `wxsim serve`'s default.
    pub const HOST: &str = "127.0.0.1:7080";

    pub struct Rig {
        pub engine: Engine,
        pub sim: Option<SimHandle>,
        app: Router,
        _dir: tempfile::TempDir,
    }

    impl Rig {
        /// The engine talking to the embedded simulator, as `wxsim serve` starts them.
        pub async fn with_sim() -> Rig {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let config = SimConfig {
                ari_base: format!("http://{}", listener.local_addr().unwrap()),
                ..SimConfig::default()
            };
            let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let sim = wxsim_webchat::spawn(config, sim_listener).await.unwrap();
            let webchat = Some(sim.base_url());
            Rig::start(listener, webchat, None, Some(sim)).await
        }

        /// The engine with its profile pointing at a loopback port nobody listens on.
        pub async fn webchat_down() -> Rig {
            let closed = TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap()
                .local_addr()
                .unwrap();
            let profile = Profile {
                webchat_url: Some(format!("http://{closed}/webchat")),
                request_timeout_ms: 2_000,
                ..Profile::default()
            };
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            Rig::start(listener, None, Some(profile), None).await
        }

        async fn start(
            listener: TcpListener,
            embedded_webchat: Option<String>,
            profile: Option<Profile>,
            sim: Option<SimHandle>,
        ) -> Rig {
            let dir = tempfile::tempdir().unwrap();
            let engine = Engine::start(EngineOptions {
                data_dir: dir.path().to_path_buf(),
                profile,
                embedded_webchat,
                listener,
            })
            .await
            .expect("engine starts");
            let ui_dir: PathBuf = dir.path().join("no-ui");
            let app = wxsim_api::router(engine.clone(), TOKEN.into(), ui_dir);
            Rig {
                engine,
                sim,
                app,
                _dir: dir,
            }
        }

        pub async fn send(&self, request: Request<Body>) -> Response {
            self.app.clone().oneshot(request).await.unwrap()
        }

        /// A request with the token, an optional JSON body; the status and the JSON answer.
        pub async fn call(
            &self,
            method: Method,
            uri: &str,
            body: Option<Value>,
        ) -> (StatusCode, Value) {
            let builder =
                request(method, uri).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
            let request = match body {
                Some(json) => builder
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(json.to_string())),
                None => builder.body(Body::empty()),
            };
            json(self.send(request.unwrap()).await).await
        }

        pub async fn shutdown(self) {
            self.engine.shutdown().await;
            if let Some(sim) = self.sim {
                sim.shutdown().await;
            }
        }
    }

    /// A request as the browser on `HOST` sends it (no token).
    pub fn request(method: Method, uri: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST)
    }

    pub async fn text(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    pub async fn json(response: Response) -> (StatusCode, Value) {
        let (status, text) = text(response).await;
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("answer ({status}) is not JSON ({e}): {text}"));
        (status, value)
    }
}

mod token {
    use axum::body::Body;
    use axum::http::{header, Method, StatusCode};
    use serde_json::Value;

    use crate::rig::{json, request, Rig, TOKEN};

    fn assert_unauthorized(status: StatusCode, body: &Value) {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["kind"], "unauthorized", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("Authorization: Bearer TOKEN"), "{message}");
    }

    #[tokio::test]
    async fn no_token_is_401_unauthorized() {
        let rig = Rig::with_sim().await;
        let (status, body) = json(
            rig.send(
                request(Method::GET, "/api/customers")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await,
        )
        .await;
        assert_unauthorized(status, &body);
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn bearer_token_is_let_in() {
        let rig = Rig::with_sim().await;
        let (status, body) = rig.call(Method::GET, "/api/customers", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, serde_json::json!([]));
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn query_token_is_let_in() {
        let rig = Rig::with_sim().await;
        let uri = format!("/api/customers?token={TOKEN}");
        let (status, body) = json(
            rig.send(request(Method::GET, &uri).body(Body::empty()).unwrap())
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, serde_json::json!([]));
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn wrong_token_is_401_in_header_and_query() {
        let rig = Rig::with_sim().await;
        let wrong_header = request(Method::GET, "/api/customers")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}x"))
            .body(Body::empty())
            .unwrap();
        let (status, body) = json(rig.send(wrong_header).await).await;
        assert_unauthorized(status, &body);

        let wrong_query = request(Method::GET, "/api/customers?token=nope&x=1")
            .body(Body::empty())
            .unwrap();
        let (status, body) = json(rig.send(wrong_query).await).await;
        assert_unauthorized(status, &body);

        let not_bearer = request(Method::GET, "/api/customers")
            .header(header::AUTHORIZATION, TOKEN)
            .body(Body::empty())
            .unwrap();
        let (status, body) = json(rig.send(not_bearer).await).await;
        assert_unauthorized(status, &body);
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn health_needs_no_token() {
        let rig = Rig::with_sim().await;
        let (status, body) = json(
            rig.send(
                request(Method::GET, "/api/health")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["ok"], true);
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        rig.shutdown().await;
    }
}

mod origin {
    use axum::body::Body;
    use axum::http::{header, Method, StatusCode};

    use crate::rig::{json, request, Rig, HOST, TOKEN};

    async fn with_origin(rig: &Rig, origin: &str) -> (StatusCode, serde_json::Value) {
        let request = request(Method::GET, "/api/customers")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        json(rig.send(request).await).await
    }

    #[tokio::test]
    async fn foreign_origin_is_403_forbidden_even_with_the_token() {
        let rig = Rig::with_sim().await;
        let (status, body) = with_origin(&rig, "http://evil.example").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["kind"], "forbidden", "{body}");
        assert_eq!(
            body["error"]["message"],
            "requests from origin http://evil.example are not allowed"
        );
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn own_origin_is_allowed() {
        let rig = Rig::with_sim().await;
        let (status, body) = with_origin(&rig, &format!("http://{HOST}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, serde_json::json!([]));
        rig.shutdown().await;
    }
}

mod errors {
    use axum::http::{Method, StatusCode};
    use serde_json::json;
    use wxsim_engine::protocol::{Endpoint, ResultCode};
    use wxsim_webchat::FaultSpec;

    use crate::rig::Rig;

    async fn new_customer(rig: &Rig) -> i64 {
        let body = json!({ "nickname": "Ann", "skillGroup": 1 });
        let (status, customer) = rig.call(Method::POST, "/api/customers", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{customer}");
        customer["id"].as_i64().unwrap()
    }

    #[tokio::test]
    async fn unknown_customer_is_404_not_found() {
        let rig = Rig::with_sim().await;
        let (status, body) = rig.call(Method::GET, "/api/customers/4242", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["error"]["kind"], "not_found");
        assert_eq!(
            body["error"]["message"],
            "no customer with id 4242; list customers to find the right one"
        );
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn close_without_a_chat_is_409_wrong_state() {
        let rig = Rig::with_sim().await;
        let id = new_customer(&rig).await;
        let (status, body) = rig
            .call(Method::POST, &format!("/api/customers/{id}/close"), None)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["kind"], "wrong_state");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("there is no chat to close"), "{message}");
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn empty_nickname_is_422_invalid() {
        let rig = Rig::with_sim().await;
        let body = json!({ "nickname": "  ", "skillGroup": 1 });
        let (status, body) = rig.call(Method::POST, "/api/customers", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            body,
            json!({ "error": { "kind": "invalid", "message": "a customer needs a nickname" } })
        );
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn webchat_refusal_is_422_rejected_with_its_code() {
        let rig = Rig::with_sim().await;
        let id = new_customer(&rig).await;
        rig.sim.as_ref().unwrap().control().inject_fault(FaultSpec {
            endpoint: Endpoint::CreateCon,
            result: ResultCode::NotInWorktime,
            count: 1,
            message: Some("closed for the night".into()),
        });
        let (status, body) = rig
            .call(
                Method::POST,
                &format!("/api/customers/{id}/request-chat"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let error = &body["error"];
        assert_eq!(error["kind"], "rejected", "{body}");
        assert_eq!(error["endpoint"], "createcon.do");
        assert_eq!(error["code"], -3);
        assert_eq!(error["codeName"], "NOT_IN_WORKTIME");
        assert_eq!(error["webchatMessage"], "closed for the night");
        assert_eq!(
            error["message"],
            "webchat refused createcon.do: result -3 (NOT_IN_WORKTIME) — closed for the night"
        );
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn unreachable_webchat_is_502_webchat_unavailable() {
        let rig = Rig::webchat_down().await;
        let id = new_customer(&rig).await;
        let (status, body) = rig
            .call(
                Method::POST,
                &format!("/api/customers/{id}/request-chat"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        assert_eq!(body["error"]["kind"], "webchat_unavailable");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("is unreachable"), "{message}");
        assert!(body["error"].get("code").is_none(), "{body}");
        rig.shutdown().await;
    }
}

mod events {
    use std::time::Duration;

    use axum::body::Body;
    use axum::http::{header, Method, StatusCode};
    use futures::StreamExt;
    use serde_json::{json, Value};

    use crate::rig::{request, Rig, TOKEN};

    /// One server-sent event: its `event:` name and its `data:` lines joined.
    fn parse(block: &str) -> (String, String) {
        let (mut name, mut data) = (String::new(), Vec::new());
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim_start().to_owned();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
            }
        }
        (name, data.join("\n"))
    }

    #[tokio::test]
    async fn creating_a_customer_streams_its_customer_changed() {
        let rig = Rig::with_sim().await;
        let stream = request(Method::GET, &format!("/api/events?token={TOKEN}"))
            .body(Body::empty())
            .unwrap();
        let response = rig.send(stream).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        let mut frames = response.into_body().into_data_stream();

        let body = json!({ "nickname": "Bea", "skillGroup": 1 });
        let (status, customer) = rig.call(Method::POST, "/api/customers", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{customer}");

        let mut buffer = String::new();
        let event = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let (name, data) = parse(&block);
                    if name != "engine" {
                        continue;
                    }
                    let event: Value = serde_json::from_str(&data).unwrap();
                    if event["type"] == "customerChanged" {
                        return event;
                    }
                }
                let frame = frames.next().await.expect("the stream stays open").unwrap();
                buffer.push_str(std::str::from_utf8(&frame).unwrap());
            }
        })
        .await
        .expect("a customerChanged event within 10 s");
        assert_eq!(event["customer"]["id"], customer["id"]);
        assert_eq!(event["customer"], customer);
        rig.shutdown().await;
    }
}

mod bodies {
    use axum::body::Body;
    use axum::http::{header, Method, StatusCode};

    use crate::rig::{request, text, Rig, TOKEN};

    async fn post_customers(
        rig: &Rig,
        content_type: Option<&str>,
        body: &str,
    ) -> (StatusCode, String) {
        let mut builder = request(Method::POST, "/api/customers")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        text(
            rig.send(builder.body(Body::from(body.to_owned())).unwrap())
                .await,
        )
        .await
    }

    /// A body that is not the route's JSON gets axum's status and the API's error shape.
    #[tokio::test]
    async fn malformed_json_is_a_4xx_invalid_naming_the_problem() {
        let rig = Rig::with_sim().await;
        let json = Some("application/json");
        let invalid = |text: &str| -> String {
            let body: serde_json::Value = serde_json::from_str(text).expect("a JSON error body");
            assert_eq!(body["error"]["kind"], "invalid", "{text}");
            body["error"]["message"].as_str().unwrap().to_owned()
        };

        let (status, text) = post_customers(&rig, json, r#"{"nickname": "Ann", "#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(
            invalid(&text).starts_with("Failed to parse the request body as JSON"),
            "{text}"
        );

        let (status, text) = post_customers(&rig, json, r#"{"nickname": "Ann"}"#).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(
            invalid(&text).contains("missing field `skillGroup`"),
            "{text}"
        );

        let (status, text) =
            post_customers(&rig, None, r#"{"nickname": "Ann", "skillGroup": 1}"#).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{text}");
        assert!(
            invalid(&text).contains("Content-Type: application/json"),
            "{text}"
        );

        let (status, customers) = rig.call(Method::GET, "/api/customers", None).await;
        assert_eq!((status, customers), (StatusCode::OK, serde_json::json!([])));
        rig.shutdown().await;
    }
}

mod rating {
    use axum::http::{Method, StatusCode};
    use serde_json::json;

    use crate::rig::Rig;

    /// `ratingId` comes as the rating prompt gave it; a number is as good as a string.
    #[tokio::test]
    async fn a_numeric_rating_id_is_taken() {
        let rig = Rig::with_sim().await;
        let (_, customer) = rig
            .call(
                Method::POST,
                "/api/customers",
                Some(json!({"nickname": "Ann", "skillGroup": 1})),
            )
            .await;
        let id = customer["id"].as_i64().unwrap();
        let (status, _) = rig
            .call(
                Method::POST,
                &format!("/api/customers/{id}/request-chat"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (_, c) = rig
                .call(Method::GET, &format!("/api/customers/{id}"), None)
                .await;
            if c["state"] == "chatting" {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "never chatting: {c}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }

        let (status, conversation) = rig
            .call(
                Method::POST,
                &format!("/api/customers/{id}/rate"),
                Some(json!({"ratingId": 5, "comment": "quick"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{conversation}");
        assert_eq!(conversation["ratingId"], "5");
        rig.shutdown().await;
    }
}

mod docs {
    use axum::body::{to_bytes, Body};
    use axum::http::{header, Method, StatusCode};

    use crate::rig::{request, Rig, TOKEN};

    const BEGIN: &str = "<!-- api-table: generated from crates/api (docs::markdown) -->\n";
    const END: &str = "<!-- /api-table -->";

    /// The README's API table is the router's own table; `WXSIM_README_WRITE=1` rewrites it.
    #[test]
    fn the_readme_lists_every_route_as_the_router_has_it() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
            panic!("README.md lacks the {BEGIN:?} … {END:?} markers");
        };
        let table = wxsim_api::docs::markdown();
        let current = &readme[start + BEGIN.len()..end];
        if std::env::var_os("WXSIM_README_WRITE").is_some() {
            let rewritten = format!("{}{BEGIN}{table}{}", &readme[..start], &readme[end..]);
            std::fs::write(path, rewritten).unwrap();
            return;
        }
        assert!(
            current == table,
            "README's API table is stale: run `WXSIM_README_WRITE=1 cargo test -p wxsim-api --test router docs`"
        );
    }

    /// Each documented route exists for its method: no route-level 404 or 405.
    #[tokio::test]
    async fn every_documented_route_is_routed() {
        let rig = Rig::with_sim().await;
        for route in wxsim_api::docs::routes() {
            let uri = route
                .path
                .replace("{id}", "4242")
                .replace("{name}", "nobody");
            let method: Method = route.method.parse().unwrap();
            let mut builder =
                request(method, &uri).header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
            let body = if ["POST", "PUT"].contains(&route.method) {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from("{}")
            } else {
                Body::empty()
            };
            let response = rig.send(builder.body(body).unwrap()).await;
            let status = response.status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{route:?}");
            if status == StatusCode::NOT_FOUND {
                let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
                let json: serde_json::Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| panic!("{route:?} is not routed"));
                assert_eq!(json["error"]["kind"], "not_found", "{route:?}");
            }
        }
        rig.shutdown().await;
    }

    #[tokio::test]
    async fn the_openapi_document_is_served_without_the_token() {
        let rig = Rig::with_sim().await;
        let response = rig
            .send(
                request(Method::GET, "/api/openapi.json")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = to_bytes(response.into_body(), 1 << 22).await.unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let customers = &doc["paths"]["/api/customers"];
        assert!(
            customers["get"].is_object() && customers["post"].is_object(),
            "{customers}"
        );
        assert_eq!(
            doc["paths"]["/api/customers/{id}"]["get"]["parameters"][0]["name"],
            "id"
        );
        rig.shutdown().await;
    }
}
