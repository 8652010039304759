package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.qreg.registry.demo.DemoData;
import io.qreg.registry.support.BrowserTest;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * Every portal page of the demo data, at a laptop's 1280 px and a tablet's 768 px: the document
 * never scrolls sideways, no table header or button cuts its text off, a table that scrolls inside
 * its own box keeps its first column, and axe-core finds no WCAG 2 A/AA violation. The pages are
 * found by following the portal's own links from the dashboard, so a new page is checked as soon as
 * something links to it. Screenshots of every page at both widths land in target/screenshots/layout/
 * for CI to keep.
 */
class PortalLayoutBrowserIT extends BrowserTest {

    private static final String PASSWORD = "layout-password-1";
    private static final int LAPTOP = 1280;
    private static final int TABLET = 768;
    /** Pages of one kind (say, a job's page) checked at most: the second catches what differs by data. */
    private static final int PER_KIND = 2;
    private static final int MAX_PAGES = 90;
    /** The demo data alone links to more kinds of pages than this; fewer means the crawl went wrong. */
    private static final int MIN_PAGES = 30;
    private static final Path LAYOUT_SCREENSHOTS = SCREENSHOTS.resolve("layout");

    private static final Pattern ID_SEGMENT = Pattern.compile("[0-9a-f]{8}-[0-9a-f-]{27}|\\d+");
    /** Path segments after which the next segment names one thing (a model, a deployment, an account). */
    private static final Set<String> COLLECTIONS = Set.of("models", "deployments", "users", "policies", "jobs",
            "approvals", "variants", "checkpoints", "versions", "revisions");
    /** Not pages: the API, downloads, machine-readable documents and live streams. */
    private static final Pattern NOT_A_PAGE = Pattern.compile(
            "^/(api|actuator|v3|swagger-ui|webjars|css|js|img|schemas)(/.*)?$|^/logout$|/download$|/bundle$"
                    + "|/events$|\\.(json|onnx|npy|csv|txt|pem|svg|png)$|^/swagger-ui\\.html$");

    @Autowired
    private DemoData demo;

    @TempDir
    private Path workDir;

    private final List<String> failures = new ArrayList<>();

    @Test
    void everyPortalPageFitsALaptopAndATabletWithNoAccessibilityViolations() throws Exception {
        DemoData.Seeded seeded = seedDemo();
        // Only this run's pages: CI keeps the folder as an artifact.
        if (Files.isDirectory(LAYOUT_SCREENSHOTS)) {
            try (var old = Files.list(LAYOUT_SCREENSHOTS)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(LAYOUT_SCREENSHOTS);
        String longest = registerAModelAsLongAsTheApiAllows();
        giveAdminATokenNamedAsLongAsTheApiAllows();
        logIn(person(PASSWORD, "ADMIN", "APPROVER"), PASSWORD);

        Deque<String> queue = new ArrayDeque<>(List.of("/", "/models?q=" + longest, "/models/" + DemoData.DIGITS,
                "/models/" + DemoData.BYTELM, "/deployments/" + DemoData.DEPLOYMENT,
                "/jobs/" + seeded.quantizeJobs().values().iterator().next(), "/approvals/new", "/account/password"));
        seeded.approvals().forEach(id -> queue.add("/approvals/" + id));
        // The comparison page is a GET form's answer (two ticked boxes), not a link.
        for (String model : List.of(DemoData.DIGITS, DemoData.BYTELM)) {
            JsonNode variants = admin().get("/api/v1/models/" + model + "/variants").json().get("items");
            queue.add("/models/" + model + "/compare?a=" + variants.get(0).get("id").asString() + "&b="
                    + variants.get(1).get("id").asString());
        }
        Map<String, String> checked = crawl(queue);

        // Pages no link leads to: an error page, and the sign-in page of someone signed out.
        checkErrorPage("/models/no-such-model-" + UUID.randomUUID());
        browser.manage().deleteAllCookies();
        visitAndCheck("/login", "login");
        checked.put("/login", "login");

        assertThat(checked.size()).as("pages checked: %s", checked.keySet()).isGreaterThanOrEqualTo(MIN_PAGES);
        assertThat(failures).as("%d findings on %d pages (%s):%n%s", failures.size(), checked.size(),
                checked.keySet(), String.join(System.lineSeparator(), failures)).isEmpty();
    }

    @Test
    void theProbeReportsEachKindOfDefectOnAPageThatHasThemAll() {
        // A page with one of each defect the crawl looks for, so a probe that silently checks nothing fails here.
        String defects = "<!DOCTYPE html><html lang='en'><head><title>defects</title></head><body><main>"
                + "<h1>Defects</h1><div style='width:2000px'>wider than any window</div>"
                + "<button style='width:60px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis'>"
                + "A label far too long for its button</button>"
                + "<div id='box' style='overflow-x:auto;width:200px'><table><tr><td>first</td>"
                + "<td style='white-space:nowrap'>a cell much wider than the two hundred pixels of its box</td>"
                + "</tr></table></div></main></body></html>";
        viewportWidth(LAPTOP);
        browser.get("data:text/html;charset=utf-8," + URLEncoder.encode(defects, StandardCharsets.UTF_8)
                .replace("+", "%20"));
        PageLayoutProbe probe = new PageLayoutProbe(browser);

        List<String> onALaptop = probe.findings(false);
        List<String> onATablet = probe.findings(true);

        assertThat(onALaptop).anySatisfy(f -> assertThat(f).startsWith("the document scrolls sideways")
                        .contains("div \"wider than any window\""))
                .anySatisfy(f -> assertThat(f).startsWith("text clipped (ellipsis").contains("button"))
                .anySatisfy(f -> assertThat(f).startsWith("a table does not fit").contains("div#box"))
                .anySatisfy(f -> assertThat(f).startsWith("axe scrollable-region-focusable (serious"));
        assertThat(onATablet).anySatisfy(f -> assertThat(f).contains("its first column does not stay: td \"first\""))
                .noneSatisfy(f -> assertThat(f).startsWith("a table does not fit"));
    }

    /**
     * A model whose name, owner and tags are as long as the API accepts, with no space to wrap at: the lists must
     * fit a laptop whatever other tests (or users) registered, not only with the demo's short names.
     */
    private String registerAModelAsLongAsTheApiAllows() {
        String digits = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits())).repeat(4);
        String name = ("layout-" + digits).substring(0, 63);
        assertThat(admin().post("/api/v1/models", Map.of("name", name, "task", "language-model",
                "owner", ("owner-" + digits).substring(0, 64), "riskTier", "regulated")).status()).isEqualTo(201);
        for (String key : List.of("team", "cost-centre-of-the-owning-organisation-unit", "data")) {
            assertThat(admin().put("/api/v1/models/" + name + "/tags/" + key, Map.of("value", digits + digits))
                    .status()).isEqualTo(200);
        }
        return name;
    }

    /** Other tests give admin tokens too; the token list at /admin/tokens?user=admin must fit whatever they named. */
    private void giveAdminATokenNamedAsLongAsTheApiAllows() {
        String name = ("layout-token-" + String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits()))
                .repeat(6)).substring(0, 100);
        assertThat(admin().post("/api/v1/tokens", Map.of("name", name, "username", "admin")).status())
                .isEqualTo(201);
    }

    /** The demo, seeded once with a real worker the way DemoDataIT does (seeding again adds nothing). */
    private DemoData.Seeded seedDemo() throws InterruptedException {
        // Jobs other tests left queued would be this worker's to run first.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
        String worker = unique("layout-worker");
        assertThat(admin().post("/api/v1/users", Map.of("username", worker, "roles", List.of("WORKER"))).status())
                .isEqualTo(201);
        String token = admin().post("/api/v1/tokens", Map.of("name", "layout-it", "username", worker)).json()
                .get("token").asString();
        WorkerDaemon daemon = WorkerDaemon.start(WorkerConfig.of(URI.create("http://localhost:" + port), token)
                .withName("layout-it").withWorkDir(workDir).withClaimWait(Duration.ofSeconds(2))
                .withBenchmark(20, 2));
        try {
            return demo.seed();
        } finally {
            daemon.stop(Duration.ofSeconds(10));
            // A claim the daemon gave up on would take the next test class's job: let it lapse.
            Thread.sleep(2_500);
        }
    }

    /** Visits the queue's pages and every page they link to, at most PER_KIND of a kind; returns path to name. */
    private Map<String, String> crawl(Deque<String> queue) {
        Map<String, String> checked = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>(queue);
        Map<String, Integer> perKind = new HashMap<>();
        while (!queue.isEmpty() && checked.size() < MAX_PAGES) {
            String page = queue.poll();
            String kind = kind(URI.create(page).getPath());
            if (perKind.merge(kind, 1, Integer::sum) > PER_KIND) {
                continue;
            }
            String name = screenshotName(page, checked.values());
            // One screenshot per kind of page keeps the run short; the second of a kind is still checked.
            visitAndCheck(page, perKind.get(kind) == 1 ? name : null);
            checked.put(page, name);
            if (title().startsWith("Error")) {
                failures.add(page + ": a link leads to an error page (" + title() + ")");
            }
            for (String link : links()) {
                if (seen.add(link)) {
                    queue.add(link);
                }
            }
        }
        return checked;
    }

    private void checkErrorPage(String missing) {
        visitAndCheck(missing, "error-404");
        assertThat(title()).as("the page for %s", missing).startsWith("Error 404");
    }

    /** Opens the page and checks it at both widths, keeping a screenshot of each unless name is null. */
    private void visitAndCheck(String page, String name) {
        viewportWidth(LAPTOP);
        browser.get(url(page));
        PageLayoutProbe probe = new PageLayoutProbe(browser);
        for (int width : List.of(LAPTOP, TABLET)) {
            viewportWidth(width);
            settle();
            probe.findings(width < LAPTOP).forEach(f -> failures.add(page + " at " + width + " px: " + f));
            if (name != null) {
                screenshot("layout/" + name + "-" + width, browser.manage().window().getSize().getWidth());
            }
        }
    }

    /** Lets the page follow a resize: the SVG charts redraw on the next animation frames. */
    private void settle() {
        ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));");
    }

    /** Same-origin links to portal pages on the current page, as paths with their query, without fragments. */
    private List<String> links() {
        @SuppressWarnings("unchecked")
        List<String> hrefs = (List<String>) js("return Array.from(document.querySelectorAll('a[href]'))"
                + ".filter(a => !a.hasAttribute('download'))"
                // SVG links (the lineage graph) have no string href property, so resolve the attribute.
                + ".map(a => new URL(a.getAttribute('href'), document.baseURI).href);");
        String origin = url("");
        List<String> pages = new ArrayList<>();
        for (String href : hrefs) {
            if (!href.startsWith(origin + "/")) {
                continue;
            }
            URI uri = URI.create(href);
            if (NOT_A_PAGE.matcher(uri.getPath()).find()) {
                continue;
            }
            pages.add(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        }
        return pages;
    }

    /** The kind of page a path shows: /jobs/{id} for every job's page, /models/{name}/compare for every model's. */
    static String kind(String path) {
        String[] segments = path.split("/", -1);
        StringBuilder kind = new StringBuilder();
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean names = ID_SEGMENT.matcher(segment).matches()
                    || (COLLECTIONS.contains(segments[i - 1]) && !segment.equals("new"));
            kind.append('/').append(names ? "{}" : segment);
        }
        return kind.isEmpty() ? "/" : kind.toString();
    }

    /** A file name for the page: its path with ids shortened, unique among those taken. */
    private static String screenshotName(String page, Collection<String> taken) {
        String path = URI.create(page).getPath();
        String base = path.equals("/") ? "dashboard"
                : path.substring(1).replaceAll("([0-9a-f]{8})-[0-9a-f-]{27}", "$1").replaceAll("[^A-Za-z0-9.-]+", "-");
        String name = base;
        for (int n = 2; taken.contains(name); n++) {
            name = base + "-" + n;
        }
        return name;
    }

    /** Sets the window so that the page's viewport (not the window with its frame) is this wide. */
    private void viewportWidth(int width) {
        Dimension size = browser.manage().window().getSize();
        long inner = (Long) js("return window.innerWidth;");
        if (inner != width) {
            browser.manage().window().setSize(new Dimension(size.getWidth() + (int) (width - inner),
                    size.getHeight()));
        }
    }

    private String title() {
        return browser.getTitle();
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }
}
