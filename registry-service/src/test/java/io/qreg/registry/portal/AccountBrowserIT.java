package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.LoopbackClient;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * Offboarding and password guessing in a real Chromium: an ADMIN changes an account's roles,
 * disables and enables it and resets its password from the account page; the person is then made to
 * choose a new password; and the sign-in page says when sign-ins are throttled.
 */
class AccountBrowserIT extends BrowserTest {

    private String notice() {
        return browser.findElement(By.cssSelector(".alert-success[role=status]")).getText();
    }

    private void clickAndWaitForNotice(String buttonId, String expected) {
        browser.findElement(By.id(buttonId)).click();
        waitUntil(Duration.ofSeconds(10), () -> !browser.findElements(By.cssSelector(".alert-success")).isEmpty()
                && notice().contains(expected));
    }

    @Test
    void anAdminChangesRolesDisablesEnablesAndResetsAPasswordThenThePersonChoosesANewOne() {
        String administrator = person("admin-password-1", "ADMIN");
        String person = person("person-password-1", "VIEWER");
        logIn(administrator, "admin-password-1");

        browser.get(url("/admin"));
        WebElement manage = browser.findElement(By.cssSelector("a[aria-label='Manage " + person + "']"));
        // The shared registry has many accounts: bring the row to the middle, clear of the sticky header.
        ((JavascriptExecutor) browser).executeScript(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", manage);
        manage.click();
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().endsWith("/admin/users/" + person));

        browser.findElement(By.id("role-ENGINEER")).click();
        clickAndWaitForNotice("save-roles", "are now [VIEWER, ENGINEER]");

        clickAndWaitForNotice("toggle-enabled", "Disabled " + person);
        assertThat(browser.findElement(By.id("account-state")).getText()).isEqualTo("disabled");
        clickAndWaitForNotice("toggle-enabled", "Enabled " + person);
        assertThat(browser.findElement(By.id("account-state")).getText()).isEqualTo("enabled");

        browser.findElement(By.id("temporary-password")).sendKeys("temporary-pass-9");
        clickAndWaitForNotice("reset-password", "must change it");

        logIn(person, "temporary-pass-9");
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().endsWith("/account/password"));
        assertThat(browser.findElement(By.id("must-change")).getText()).contains("reset your password");
        browser.findElement(By.id("currentPassword")).sendKeys("temporary-pass-9");
        browser.findElement(By.id("newPassword")).sendKeys("person-password-2");
        browser.findElement(By.id("confirmPassword")).sendKeys("person-password-2");
        clickAndWaitForNotice("change-password", "Your password was changed");

        browser.get(url("/"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
        assertThat(jdbc.queryForObject("select roles from app_user where username = ?", String.class, person))
                .isEqualTo("VIEWER,ENGINEER");
    }

    @Test
    void theSignInPageSaysWhenSignInsAreThrottled() throws InterruptedException {
        String person = person("person-password-3", "VIEWER");
        browser.manage().deleteAllCookies();
        browser.get(url("/login"));
        browser.findElement(By.name("username")).sendKeys(person);
        browser.findElement(By.name("password")).sendKeys("person-password-3");
        // Ten wrong guesses at this account from elsewhere (other loopback addresses)...
        for (int i = 0; i < 10; i++) {
            assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", person, "guess-" + i).status())
                    .isEqualTo(401);
        }
        // ... and the person's right password is turned away, with a message, until the delay passes.
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUntil(Duration.ofSeconds(10), () -> !browser.findElements(By.id("login-throttled")).isEmpty());
        assertThat(browser.findElement(By.id("login-throttled")).getText())
                .contains("Too many failed sign-in attempts").contains("seconds");
        assertThat(browser.getCurrentUrl()).endsWith("/login");

        Thread.sleep(1_100);
        logIn(person, "person-password-3");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
    }
}
