package io.qreg.registry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The portal in a real headless Chromium: Debian's {@code chromium} driven through Debian's
 * {@code chromedriver}, one browser per test class. Nothing is downloaded at test time. On CI
 * ({@code CI=true}) a missing browser fails the tests; on a developer machine it skips them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BrowserTest extends IntegrationTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    protected static final Path SCREENSHOTS = Path.of("target", "screenshots");

    protected WebDriver browser;

    @BeforeAll
    void startBrowser() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && !"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.abort("no " + CHROMIUM + " and " + CHROMEDRIVER + " here; .ci/run installs Debian's"
                    + " chromium and chromium-driver");
        }
        // Selenium Manager would try to download a driver; Debian's is named explicitly instead.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-US");
        // The console (CSP violations, script errors) is readable with browser.manage().logs().get("browser").
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** A person with a password and the given roles, created through the API; returns the username. */
    protected String person(String password, String... roles) {
        String username = unique("person");
        HttpApi.Reply created = admin().post("/api/v1/users",
                Map.of("username", username, "password", password, "roles", List.of(roles)));
        if (created.status() != 201) {
            throw new IllegalStateException("cannot create user: " + created.body());
        }
        return username;
    }

    protected String url(String path) {
        return "http://localhost:" + port + path;
    }

    /** Signs in through the login form (after signing out whoever was signed in). */
    protected void logIn(String username, String password) {
        browser.manage().deleteAllCookies();
        browser.get(url("/login"));
        // Once, in a full suite run on a loaded machine, the form was not there right after the page was asked for;
        // asking again is what a person would do, and a broken sign-in page still fails here after 15 s.
        waitUntil(Duration.ofSeconds(15), () -> {
            if (browser.findElements(By.name("username")).isEmpty()) {
                browser.get(url("/login"));
                return false;
            }
            return true;
        });
        browser.findElement(By.name("username")).sendKeys(username);
        browser.findElement(By.name("password")).sendKeys(password);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUntil(Duration.ofSeconds(10), () -> !browser.getCurrentUrl().contains("/login"));
    }

    /** Polls the condition; an element that went stale because the page was being replaced just means "not yet". */
    protected void waitUntil(Duration timeout, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, timeout).ignoring(StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    /** Saves the current page as target/screenshots/NAME.png, at the given width (height follows the page). */
    protected Path screenshot(String name, int width) {
        Dimension before = browser.manage().window().getSize();
        try {
            // The width first: a narrower page is a taller one, so its height is measured at that width.
            browser.manage().window().setSize(new Dimension(width, before.getHeight()));
            // The window's height includes the browser's own bars; the page needs its full height inside them.
            long height = (Long) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "return Math.max(document.documentElement.scrollHeight, 600)"
                            + " + Math.max(window.outerHeight - window.innerHeight, 0);");
            browser.manage().window().setSize(new Dimension(width, (int) Math.min(height, 4000)));
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(before);
        }
    }
}
