package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.registry.support.BrowserTest;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** Signing in and out in a real browser: the form, the session, the CSRF-protected sign-out. */
class SignInBrowserIT extends BrowserTest {

    @Test
    void aPersonSignsInSeesTheDashboardAndSignsOut() {
        String viewer = person("viewer-password-1", "VIEWER");
        logIn(viewer, "viewer-password-1");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
        assertThat(browser.getPageSource()).contains(viewer);

        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        waitUntil(java.time.Duration.ofSeconds(10), () -> browser.getCurrentUrl().contains("/login?logout"));
        assertThat(browser.findElement(By.cssSelector("[role=status]")).getText()).containsIgnoringCase("signed out");
        browser.get(url("/"));
        assertThat(browser.getCurrentUrl()).contains("/login");
    }

    @Test
    void aWrongPasswordStaysOnTheLoginPageWithAMessage() {
        String viewer = person("viewer-password-2", "VIEWER");
        browser.manage().deleteAllCookies();
        browser.get(url("/login"));
        browser.findElement(By.name("username")).sendKeys(viewer);
        browser.findElement(By.name("password")).sendKeys("not-the-password");
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUntil(java.time.Duration.ofSeconds(10), () -> browser.getCurrentUrl().contains("/login?error"));
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText()).isNotBlank();
    }
}
