package io.qreg.registry.portal;

import static io.qreg.registry.policy.VariantMaker.classification;
import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Approvals in a real browser: an engineer requests them (and is told why a failing variant cannot
 * be), an approver finds them in the inbox, rejects one with a comment and approves another, and a
 * viewer sees no sign-off buttons and is refused when posting the form anyway.
 */
class ApprovalBrowserIT extends BrowserTest {

    private static final String PASSWORD = "browser-password-1";

    private VariantMaker maker;
    private HttpApi producer;
    private String model;
    private String deployment;

    @BeforeAll
    void variants() {
        maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        producer = userWith("ENGINEER");
        // A standard-risk model judged by its tier's defaults: accuracy drop, top-1 agreement, worst slice.
        model = maker.model(producer, "classification", "standard");
        deployment = maker.deployment(producer, model);
    }

    /** A variant whose evaluation passes the standard tier's defaults, with a benchmark in its evidence too. */
    private String passingVariant() {
        String variant = maker.quantize(producer, model, "int8-dynamic");
        maker.evaluate(producer, variant, classification(0.975, 0.978, 0.99, -0.004, -0.01));
        maker.benchmark(producer, variant, maker.hardwareTarget("portal"), 1.6, 2.5, 3_000_000);
        return variant;
    }

    private WebElement byId(String id) {
        return browser.findElement(By.id(id));
    }

    private List<WebElement> all(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    private String text() {
        return browser.findElement(By.tagName("main")).getText();
    }

    /** Goes from the inbox to the request form, picks model, variant, deployment and tier, and submits it. */
    private void requestApproval(String variant, String tier) {
        browser.get(url("/approvals"));
        browser.findElement(By.linkText("Request approval")).click();
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().contains("/approvals/new"));
        pick("model", model);
        pick("variantId", variant);
        pick("deployment", deployment);
        new Select(byId("tier")).selectByValue(tier);
        click(browser.findElement(By.cssSelector("main form button[type=submit]:not([name])")));
    }

    /**
     * Chooses the option of a picker. A choice that others follow from (model, variant, deployment)
     * makes htmx replace the pickers with the server's new ones: this waits until the old ones are gone.
     */
    private void pick(String id, String value) {
        Select select = new Select(byId(id));
        if (value.equals(select.getFirstSelectedOption().getAttribute("value"))) {
            return;
        }
        WebElement before = byId("request-pickers");
        select.selectByValue(value);
        waitUntil(Duration.ofSeconds(10), () -> {
            try {
                before.isDisplayed();
                return false;
            } catch (StaleElementReferenceException replaced) {
                return true;
            }
        });
    }

    private List<String> optionValues(String id) {
        return new Select(byId(id)).getOptions().stream().map(o -> o.getAttribute("value"))
                .filter(v -> !v.isEmpty()).toList();
    }

    /** How often the text occurs in the page's main content, ignoring case. */
    private int occurrences(String needle) {
        String haystack = text().toLowerCase(java.util.Locale.ROOT);
        String n = needle.toLowerCase(java.util.Locale.ROOT);
        int count = 0;
        for (int at = haystack.indexOf(n); at >= 0; at = haystack.indexOf(n, at + 1)) {
            count++;
        }
        return count;
    }

    private String approvalIdFromUrl() {
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().matches(".*/approvals/[0-9a-f-]{36}$"));
        String current = browser.getCurrentUrl();
        return current.substring(current.lastIndexOf('/') + 1);
    }

    /** The count beside "Approvals" in the header; no badge means none. */
    private int badge() {
        List<WebElement> badge = all("header .qreg-nav-badge span:first-child");
        return badge.isEmpty() ? 0 : Integer.parseInt(badge.get(0).getText().strip());
    }

    private void sign(String decision) {
        click(browser.findElement(By.cssSelector("button[name=decision][value=" + decision + "]")));
    }

    /**
     * Scrolled into the middle of the window first, instantly: Bootstrap makes scrolling smooth, and a
     * click sent while the page still glides lands below the window.
     */
    private void click(WebElement element) {
        ((JavascriptExecutor) browser).executeScript(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element);
        element.click();
    }

    @Test
    void anEngineerRequestsAndAnApproverRejectsOneWithACommentAndApprovesAnother() {
        String engineer = person(PASSWORD, "ENGINEER");
        String approver = person(PASSWORD, "APPROVER");
        String first = passingVariant();
        String second = passingVariant();
        String unjudged = maker.quantize(producer, model, "int8-dynamic");

        logIn(engineer, PASSWORD);
        // A variant with no evaluation yet: the refusal names the checks that fail.
        requestApproval(unjudged, "default");
        waitUntil(Duration.ofSeconds(10), () -> !all("#request-problem").isEmpty());
        assertThat(byId("request-problem").getText()).contains("The request was refused", "fails",
                "maxAccuracyDrop");
        assertThat(byId("variantId").getAttribute("value")).isEqualTo(unjudged);

        requestApproval(first, "default");
        String rejectedId = approvalIdFromUrl();
        assertThat(text()).contains("Approval requested", "PENDING", "APPROVER × 1", "outstanding");
        // An engineer does not sign: no buttons, and the page says why.
        assertThat(all("button[name=decision]")).isEmpty();
        assertThat(text()).contains("Signing off needs the APPROVER or RISK_OFFICER role.");
        requestApproval(second, "default");
        String approvedId = approvalIdFromUrl();

        logIn(approver, PASSWORD);
        // Other tests' pending requests may wait for any APPROVER too, so the badge counts at least these two.
        int waiting = badge();
        assertThat(waiting).isGreaterThanOrEqualTo(2);
        browser.get(url("/approvals"));
        WebElement awaiting = browser.findElement(By.cssSelector("section[aria-labelledby=awaiting-heading]"));
        assertThat(awaiting.findElements(By.cssSelector("a[href$='" + rejectedId + "']"))).hasSize(1);
        awaiting.findElement(By.cssSelector("a[href$='" + rejectedId + "']")).click();
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().endsWith(rejectedId));

        // The evidence and verdict beside the form; each result with its figures, not only its id.
        String artifact = admin().get("/api/v1/variants/" + first).json().get("sha256").asString();
        assertThat(text()).contains(artifact, "Policy verdict", "passes", "maxAccuracyDrop", "Evaluation",
                "Benchmark");
        WebElement evidence = browser.findElement(By.cssSelector("section[aria-labelledby=evidence-heading]"));
        assertThat(evidence.getText()).contains("Accuracy Δ: \u22120.30 pp", "Top-1 agreement: 99.0 %",
                "Samples: 500", "Speed-up: 1.60×", "p99: 2.500 ms");
        List<String> evaluationChecks = evidence.findElements(By.cssSelector(".qreg-result")).get(0)
                .findElements(By.cssSelector(".qreg-result-checks > span")).stream().map(WebElement::getText).toList();
        assertThat(evaluationChecks).as("the checks that read the evaluation, each with its outcome")
                .contains("pass maxAccuracyDrop");
        // A rejection without a comment is refused by the server and the reason sits on the field.
        sign("REJECT");
        waitUntil(Duration.ofSeconds(10), () -> !all("#comment-error").isEmpty());
        assertThat(byId("comment-error").getText()).contains("a rejection needs a comment");
        assertThat(byId("comment").getAttribute("aria-invalid")).isEqualTo("true");
        byId("comment").sendKeys("Worst slice drops 1 point; evaluate on the new slice set first.");
        sign("REJECT");
        waitUntil(Duration.ofSeconds(10), () -> text().contains("REJECTED"));
        assertThat(text()).contains("Rejected. The requester sees your comment.", "Worst slice drops 1 point");
        assertThat(occurrences("Worst slice drops 1 point")).as("the comment once, in the decisions").isEqualTo(1);
        assertThat(all("button[name=decision]")).as("a rejected request is final").isEmpty();

        browser.get(url("/approvals/" + approvedId));
        byId("comment").sendKeys("Evidence is complete.");
        sign("APPROVE");
        waitUntil(Duration.ofSeconds(10), () -> text().contains("Approved. Every required sign-off is in."));
        assertThat(text()).contains("APPROVED", "satisfied", approver, "Evidence is complete.");
        assertThat(occurrences("every required sign-off is in")).as("the sign-off's message appears once")
                .isEqualTo(1);
        browser.navigate().refresh();
        assertThat(all("#signoff-notice")).as("the notice is for the sign-off's own answer only").isEmpty();
        assertThat(occurrences("every required sign-off is in")).as("the status reason stands alone")
                .isEqualTo(1);
        assertThat(ok(admin().get("/api/v1/approvals/" + approvedId), 200).json().get("status").asString())
                .isEqualTo("APPROVED");
        assertThat(admin().get("/api/v1/approvals/" + rejectedId).json().get("status").asString())
                .isEqualTo("REJECTED");
        screenshot("approval-page", 1280);
        screenshot("approval-page-tablet", 768);

        browser.get(url("/approvals?status=REJECTED&deployment=" + deployment));
        assertThat(browser.findElement(By.cssSelector("section[aria-labelledby=all-heading]"))
                .findElements(By.cssSelector("a[href$='" + rejectedId + "']"))).hasSize(1);
        assertThat(badge()).as("two fewer to sign").isEqualTo(waiting - 2);
        screenshot("approvals-inbox", 1280);
    }

    @Test
    void theRequestFormsPickersFollowTheModelAndTheDeploymentAndTheRequestIsMadeFromThem() {
        String engineer = person(PASSWORD, "ENGINEER");
        String variant = passingVariant();
        // A second deployment of the model, with its own environments and tiers, so the choice matters.
        String second = model + "-b";
        ok(producer.post("/api/v1/deployments", Map.of("name", second, "modelName", model,
                "environments", List.of("production", "lab"), "tiers", List.of(Map.of("name", "gold"),
                        Map.of("name", "default", "default", true)))), 201);

        logIn(engineer, PASSWORD);
        browser.get(url("/approvals/new"));
        assertThat(optionValues("variantId")).as("no model chosen, no variants").isEmpty();
        pick("model", model);
        assertThat(optionValues("variantId")).contains(variant);
        assertThat(new Select(byId("variantId")).getOptions().stream().map(WebElement::getText).toList())
                .as("variants labelled by checkpoint version, precision and day, not by a bare id")
                .anyMatch(label -> label.startsWith("checkpoint 1.0.0 · int8-dynamic · ")
                        && label.endsWith(variant.substring(0, 8)));
        assertThat(optionValues("deployment")).containsExactly(deployment, second);
        assertThat(optionValues("environment")).as("no deployment chosen yet").isEmpty();

        pick("deployment", second);
        assertThat(optionValues("environment")).containsExactly("production", "lab");
        assertThat(optionValues("tier")).containsExactly("gold", "default");
        pick("deployment", deployment);
        assertThat(optionValues("environment")).containsExactly("production", "staging");
        assertThat(optionValues("tier")).containsExactly("premium", "edge", "standard", "default");
        pick("deployment", second);
        pick("variantId", variant);
        assertThat(byId("variant-heading").getText()).isEqualTo("The variant");
        new Select(byId("environment")).selectByValue("lab");
        new Select(byId("tier")).selectByValue("gold");
        screenshot("approval-request-pickers", 1280);
        // htmx runs from files only: the strict Content-Security-Policy refused nothing on the way.
        assertThat(browser.manage().logs().get("browser").getAll()).as("Content-Security-Policy refusals")
                .noneMatch(entry -> entry.getMessage().contains("Content Security Policy"));
        click(browser.findElement(By.cssSelector("main form button[type=submit]:not([name])")));

        String id = approvalIdFromUrl();
        var stored = ok(admin().get("/api/v1/approvals/" + id), 200).json();
        assertThat(stored.get("variantId").asString()).isEqualTo(variant);
        assertThat(stored.get("deployment").asString()).isEqualTo(second);
        assertThat(stored.get("environment").asString()).isEqualTo("lab");
        assertThat(stored.get("tier").asString()).isEqualTo("gold");
        assertThat(occurrences("Approval requested")).as("the request's message appears once").isEqualTo(1);
    }

    @Test
    void aViewerSeesNoSignoffButtonsAndIsRefusedWhenPostingTheFormAnyway() {
        HttpApi requester = userWith("ENGINEER");
        String variant = passingVariant();
        String pending = ok(requester.post("/api/v1/approvals", Map.of("variantId", variant, "deployment", deployment,
                "environment", "staging", "tier", "default")), 201).json().get("id").asString();
        String viewer = person(PASSWORD, "VIEWER");

        logIn(viewer, PASSWORD);
        browser.get(url("/approvals/" + pending));
        assertThat(text()).contains("PENDING", "Signing off needs the APPROVER or RISK_OFFICER role.");
        assertThat(all("button[name=decision]")).isEmpty();
        assertThat(all("a[href='/approvals/new']")).as("viewers do not request approvals").isEmpty();
        screenshot("approval-page-viewer", 768);

        // The same form posted without the page's buttons: the portal's security chain refuses it.
        AdminPortalIT.Session session = new AdminPortalIT.Session(port);
        session.signIn(viewer, PASSWORD);
        var refused = session.submit("/approvals/" + pending, "/approvals/" + pending + "/signoffs",
                "decision", "APPROVE", "comment", "");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(session.submit("/approvals", "/approvals", "variantId", variant, "deployment", deployment,
                "environment", "production", "tier", "default").statusCode()).isEqualTo(403);
        assertThat(session.get("/approvals/new").statusCode()).isEqualTo(403);

        // Holding a signing role is not enough: the service refuses the requester (separation of duties).
        String both = person(PASSWORD, "ENGINEER", "APPROVER");
        AdminPortalIT.Session requesterSession = new AdminPortalIT.Session(port);
        requesterSession.signIn(both, PASSWORD);
        var opened = requesterSession.submit("/approvals/new", "/approvals", "variantId", variant,
                "deployment", deployment, "environment", "production", "tier", "premium");
        assertThat(opened.statusCode()).isEqualTo(302);
        String own = opened.headers().firstValue("Location").orElseThrow().replaceAll(".*/approvals/", "");
        assertThat(requesterSession.get("/approvals/" + own).body()).doesNotContain("name=\"decision\"")
                .contains("Separation of duties: you requested this approval");
        var selfSigned = requesterSession.submit("/approvals/" + own, "/approvals/" + own + "/signoffs",
                "decision", "APPROVE");
        assertThat(selfSigned.statusCode()).isEqualTo(403);
        assertThat(selfSigned.body()).contains("separation of duties");
        assertThat(admin().get("/api/v1/approvals/" + own).json().get("signoffs")).isEmpty();
        assertThat(admin().get("/api/v1/approvals/" + pending).json().get("status").asString())
                .isEqualTo("PENDING");
    }
}
