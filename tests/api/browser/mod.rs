//! Browser end-to-end tests (issue 9): the real app, driven in Debian's Chromium through
//! chromedriver. The harness starts chromedriver on a free port for each test, gives every
//! browser session a fresh profile directory, and stops both when the test ends (also when it
//! fails). Nothing sleeps for a fixed time: every step waits for a condition on the page.
//!
//! Needs `apt-get install chromium chromium-driver` (the binaries `/usr/bin/chromium` and
//! `/usr/bin/chromedriver`; `CHROMIUM` and `CHROMEDRIVER` override the paths). With
//! `SAVE_SCREENSHOTS=1` the tests also write the README's tour pictures to `docs/screenshots/`.

mod checks;
mod journey;

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, DesiredCapabilities};

use crate::helpers::TestApp;

/// How long any one condition may take to come true before the test fails. Generous: the two
/// shared cores also build and run the other tests.
const PATIENCE: Duration = Duration::from_secs(30);
/// How often a condition is checked while waiting for it.
const POLL: Duration = Duration::from_millis(50);

fn chromedriver_path() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Fails the test (never skips it) when the browser is not installed.
fn require_installed() {
    for (path, package) in [
        (chromedriver_path(), "chromium-driver"),
        (chromium_path(), "chromium"),
    ] {
        assert!(
            path.exists(),
            "the browser tests need Chromium and chromedriver from Debian, and {} ({package}) \
             is missing: run `apt-get install chromium chromium-driver` (or set CHROMIUM / \
             CHROMEDRIVER to where they are)",
            path.display()
        );
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A chromedriver process of this test's own, in a process group of its own so that stopping
/// it also stops the browsers it started; and the folder holding their profiles.
pub struct Chromedriver {
    child: Child,
    pub url: String,
    dir: PathBuf,
}

impl Chromedriver {
    pub async fn start() -> Chromedriver {
        require_installed();
        let dir = std::env::temp_dir().join(format!(
            "claimtracker-browser-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // A port taken between choosing and binding makes chromedriver exit: choose again.
        for _ in 0..5 {
            let port = free_port();
            let mut child = std::process::Command::new(chromedriver_path());
            child
                .arg(format!("--port={port}"))
                .arg(format!(
                    "--log-path={}",
                    dir.join("chromedriver.log").display()
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            std::os::unix::process::CommandExt::process_group(&mut child, 0);
            let child = child.spawn().unwrap_or_else(|e| {
                panic!(
                    "could not start {}: {e}; run `apt-get install chromium chromium-driver`",
                    chromedriver_path().display()
                )
            });
            let mut driver = Chromedriver {
                child,
                url: format!("http://127.0.0.1:{port}"),
                dir: dir.clone(),
            };
            if driver.wait_ready().await {
                return driver;
            }
        }
        panic!(
            "chromedriver did not start; its log is in {}",
            dir.display()
        );
    }

    /// Waits until `/status` says ready; false if the process ended first.
    async fn wait_ready(&mut self) -> bool {
        let client = reqwest::Client::new();
        let status = format!("{}/status", self.url);
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if let Ok(res) = client.get(&status).send().await
                && let Ok(body) = res.json::<serde_json::Value>().await
                && body["value"]["ready"] == true
            {
                return true;
            }
            tokio::time::sleep(POLL).await;
        }
        panic!(
            "chromedriver at {} was not ready within {PATIENCE:?}",
            self.url
        );
    }

    /// A new browser window with a fresh profile.
    pub async fn browser(&self, base: &str) -> Browser {
        let profile = self.dir.join(uuid::Uuid::new_v4().simple().to_string());
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium_path().to_string_lossy()).unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display()))
            .unwrap();
        let driver = WebDriver::builder(&self.url, caps)
            .poller(Arc::new(ElementPollerWithTimeout::new(PATIENCE, POLL)))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start Chromium ({e}); its log is in {}",
                    self.dir.display()
                )
            });
        // `--window-size` sizes the window; make the page itself 1280×900 (screenshots).
        let chrome: serde_json::Value = driver
            .execute("return window.outerHeight - window.innerHeight;", vec![])
            .await
            .unwrap()
            .json()
            .clone();
        let chrome = chrome.as_i64().unwrap_or(0).max(0);
        driver
            .set_window_rect(0, 0, 1280, 900 + chrome as u32)
            .await
            .unwrap();
        Browser {
            driver,
            base: base.to_string(),
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        // Should `kill` be missing, at least chromedriver itself goes (and `wait` cannot hang).
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The app and a chromedriver for one test. Declared before the browsers, so dropped after.
pub struct Harness {
    pub app: TestApp,
    pub chromedriver: Chromedriver,
}

impl Harness {
    pub async fn start() -> Harness {
        let app = TestApp::spawn().await;
        // The app under test runs on plain http: the session cookie must not be `Secure`.
        assert!(
            !crate::helpers::test_config(&app.db).cookie_secure,
            "the browser tests need cookie_secure = false"
        );
        let chromedriver = Chromedriver::start().await;
        Harness { app, chromedriver }
    }

    pub async fn browser(&self) -> Browser {
        self.chromedriver.browser(&self.app.address).await
    }
}

/// One browser session on the app.
pub struct Browser {
    pub driver: WebDriver,
    base: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens a page of the app and waits until its main content is there.
    pub async fn goto(&self, path: &str) {
        self.driver.goto(self.url(path)).await.unwrap();
        self.el("main").await;
    }

    /// The one element matching a CSS selector, waiting for it to appear.
    pub async fn el(&self, css: &str) -> WebElement {
        match self.driver.query(By::Css(css)).desc(css).first().await {
            Ok(el) => el,
            Err(e) => panic!("no `{css}` on {}: {e}", self.where_am_i().await),
        }
    }

    /// The first element matching `css` whose text contains `text`, waiting for it.
    pub async fn el_with_text(&self, css: &str, text: &str) -> WebElement {
        let query = self
            .driver
            .query(By::Css(css))
            .with_text(thirtyfour::stringmatch::StringMatch::new(text).partial())
            .desc(&format!("{css} containing {text:?}"));
        match query.first().await {
            Ok(el) => el,
            Err(e) => panic!(
                "no `{css}` with {text:?} on {}: {e}",
                self.where_am_i().await
            ),
        }
    }

    async fn where_am_i(&self) -> String {
        let url = self
            .driver
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let title = self.driver.title().await.unwrap_or_default();
        format!("{url} ({title})")
    }

    /// Types into a field, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.el(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Chooses an option of a `<select>` by its value.
    pub async fn choose(&self, select_css: &str, value: &str) {
        self.el(&format!("{select_css} option[value=\"{value}\"]"))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Sets a field's value by script: for inputs such as `datetime-local` whose typing
    /// differs between locales.
    pub async fn set_value(&self, css: &str, value: &str) {
        let field = self.el(css).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1];",
                vec![field.to_json().unwrap(), serde_json::json!(value)],
            )
            .await
            .unwrap();
    }

    /// Does something that loads a new page (a click on a submit button, Enter in a form) and
    /// waits until the new page has replaced the old one.
    pub async fn navigating<F, Fut>(&self, action: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ()>,
    {
        let old = self.driver.find(By::Tag("html")).await.unwrap();
        action().await;
        old.wait_until()
            .wait(PATIENCE, POLL)
            .stale()
            .await
            .unwrap_or_else(|e| panic!("the page did not change: {e}"));
        self.el("main").await;
    }

    /// Clicks a submit button and waits for the page that answers.
    pub async fn submit(&self, button_css: &str) {
        let button = self.el(button_css).await;
        button.scroll_into_view().await.unwrap();
        self.navigating(|| async { button.click().await.unwrap() })
            .await;
    }

    /// The flash message the page shows (after a form).
    pub async fn flash(&self) -> String {
        self.el(".flash").await.text().await.unwrap()
    }

    /// The text of the whole page.
    pub async fn page_text(&self) -> String {
        self.el("body").await.text().await.unwrap()
    }

    pub async fn title(&self) -> String {
        self.driver.title().await.unwrap()
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.driver
            .execute(script, args)
            .await
            .unwrap()
            .json()
            .clone()
    }

    /// Waits until a script returns `true`.
    pub async fn wait_for_js(&self, script: &str, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.js(script, vec![]).await == serde_json::Value::Bool(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited {PATIENCE:?} for {what} on {}",
                self.where_am_i().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Signs in through the login form and waits for the dashboard.
    pub async fn login(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.submit("main form button[type=submit]").await;
        let title = self.title().await;
        assert!(
            title.starts_with("Dashboard"),
            "after signing in as {email}: {title}: {}",
            self.page_text().await
        );
    }

    /// Saves a PNG of the window to `docs/screenshots/NAME.png` when `SAVE_SCREENSHOTS` is set.
    pub async fn screenshot(&self, name: &str) {
        self.screenshot_at(name, None).await;
    }

    /// The same, scrolled so that `css` is at the top of the window first.
    pub async fn screenshot_at(&self, name: &str, css: Option<&str>) {
        if std::env::var_os("SAVE_SCREENSHOTS").is_none_or(|v| v.is_empty() || v == "0") {
            return;
        }
        if let Some(css) = css {
            let el = self.el(css).await;
            self.driver
                .execute(
                    "arguments[0].scrollIntoView({block: 'start'});",
                    vec![el.to_json().unwrap()],
                )
                .await
                .unwrap();
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        // Nothing focused or hovered by the last action, and no selection, in the picture.
        self.js(
            "document.activeElement && document.activeElement.blur();\
             window.getSelection().removeAllRanges();",
            vec![],
        )
        .await;
        let png = self.driver.screenshot_as_png().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the browser session (the harness would otherwise end it, less gracefully).
    pub async fn quit(self) {
        self.driver.quit().await.unwrap();
    }
}
