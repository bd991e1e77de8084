package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.local.LocalAwsExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web dashboard in headless Chromium (the system's chromium and chromedriver: nothing is downloaded) against the
 * local runner's whole stack, started in this JVM. Each test works through the page as an operator would and checks
 * what the page shows against the API. Screenshots go to target/dashboard-screenshots, and with
 * {@code -Djobline.screenshots.update=true} also to docs/ (the ones the README shows).
 *
 * <p>Without Chromium the tests are skipped, unless CI or {@code JOBLINE_REQUIRE_BROWSER} is set: there they fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("JOBLINE_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("JOBLINE_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** An operator's token for the runner's API (unsigned: the runner verifies nothing). */
    private static final String ADMIN = "Bearer eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding()
            .encodeToString("{\"sub\":\"ops\",\"scope\":\"jobline/admin\"}".getBytes(StandardCharsets.UTF_8)) + ".";

    private Path dir;
    private LocalRunner runner;
    private ApiCalls api;
    private WebDriver browser;

    @BeforeAll
    void start() throws IOException {
        boolean required = System.getenv("CI") != null || System.getenv("JOBLINE_REQUIRE_BROWSER") != null;
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && required) {
            throw new AssertionError("the browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        Assumptions.assumeTrue(present, "no Chromium at " + CHROMIUM + " and " + CHROMEDRIVER + ": browser tests skipped");
        dir = Files.createTempDirectory("jobline-dashboard-test");
        runner = LocalRunner.start(RunnerOptions.defaults(LocalAwsExtension.template())
                .withApiPort(0)
                .withStackPorts(0, 0)
                .withOutput(RunnerOptions.Output.PLAIN)
                .withLogFile(dir.resolve("jobline.log"))
                // a paused type's messages come round every 2 s, so a resume shows within seconds
                .withEnvironment(Map.of("Parameters", Map.of("PAUSED_RECHECK_SECONDS", "2"))));
        api = new ApiCalls(runner.apiUrl());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1366,900", "--user-data-dir=" + dir.resolve("chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (runner != null) {
            runner.close();
        }
    }

    /** The page logged no error: no script error, no failed request. */
    @AfterEach
    void noErrorsInTheConsole() {
        if (browser == null) {
            return;
        }
        List<String> severe = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(entry.getMessage());
            }
        }
        assertEquals(List.of(), severe, "the browser console has errors");
    }

    // ---- the tests

    @Test
    @Order(1)
    void submittedJobsShowOnTheOverviewAndTheList() {
        // given jobs that ended, one of them FAILED
        List<String> echoes = List.of(submit("{\"type\":\"echo\",\"payload\":{\"n\":1}}"),
                submit("{\"type\":\"echo\",\"payload\":{\"n\":2}}"), submit("{\"type\":\"echo\",\"payload\":{\"n\":3}}"));
        String failed = submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false}}");
        echoes.forEach(id -> awaitStatus(id, "SUCCEEDED"));
        awaitStatus(failed, "FAILED");

        // when the overview is opened
        open("#/");
        waitFor(By.cssSelector("#status-counts [data-status=SUCCEEDED] .count"));

        // then it counts them, per status and per type over the last hour
        Map<String, Object> stats = api.get("/stats", "Authorization", ADMIN).json();
        assertEquals(String.valueOf(((Map<?, ?>) stats.get("jobs")).get("SUCCEEDED")), text("#status-counts [data-status=SUCCEEDED] .count"));
        assertTrue(Integer.parseInt(text("#status-counts [data-status=SUCCEEDED] .count")) >= 3);
        assertTrue(Integer.parseInt(text("#status-counts [data-status=FAILED] .count")) >= 1);
        List<String> echoRow = cells("#last-hour tr[data-type=echo] td");
        assertEquals("echo", echoRow.get(0));
        assertTrue(Integer.parseInt(echoRow.get(1)) >= 3, "echo submitted in the last hour: " + echoRow);
        assertTrue(echoRow.get(5).startsWith("≤"), "echo's p50 run time is a bucket bound: " + echoRow);
        List<String> failRow = cells("#last-hour tr[data-type=fail] td");
        assertEquals("100.0 %", failRow.get(4), "every ended fail job failed: " + failRow);
        // sorted by a click: failure rate, highest first
        browser.findElement(By.cssSelector("#last-hour th[data-sort=failureRate]")).click();
        assertEquals("fail", cells("#last-hour tbody tr td:first-child").get(0));
        assertTrue(text("#queues").contains("dead-letter"), "queue depths, the dead-letter queue's included");
        screenshot("dashboard-overview.png");

        // and the jobs list shows each of them, newest first
        open("#/jobs");
        waitFor(By.cssSelector("#jobs-table"));
        List<String> listed = listedJobIds();
        for (String id : echoes) {
            assertTrue(listed.contains(id), id + " is listed: " + listed);
        }
        assertTrue(listed.indexOf(failed) < listed.indexOf(echoes.get(0)), "newest first: " + listed);
        screenshot("dashboard-jobs.png");
    }

    @Test
    @Order(2)
    void theListFiltersByStatusAndTypeOnTheServerAndItsAddressCanBeShared() {
        // given echo jobs that succeeded and a fail job that failed
        String echo = submit("{\"type\":\"echo\"}");
        String failed = submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false}}");
        awaitStatus(echo, "SUCCEEDED");
        awaitStatus(failed, "FAILED");
        open("#/jobs");
        waitFor(By.id("filter-status-FAILED"));

        // when FAILED jobs of type fail are asked for
        browser.findElement(By.id("filter-status-FAILED")).click();
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("filter-type"))).selectByValue("fail");
        browser.findElement(By.id("apply-filter")).click();
        waiting().until(driver -> driver.getCurrentUrl().contains("status=FAILED"));
        waitFor(By.cssSelector("#jobs-table tr[data-job-id='" + failed + "']"));

        // then only those are listed, and the address holds the filter
        String url = browser.getCurrentUrl();
        assertTrue(url.contains("status=FAILED") && url.contains("type=fail"), url);
        List<WebElement> rows = browser.findElements(By.cssSelector("#jobs-table tbody tr"));
        assertFalse(rows.isEmpty());
        for (WebElement row : rows) {
            assertEquals("FAILED", row.getAttribute("data-status"));
        }
        assertFalse(listedJobIds().contains(echo), "the echo job is not listed");
        // the same address, opened afresh, shows the same list
        List<String> before = listedJobIds();
        browser.get("about:blank");
        browser.get(url);
        waitFor(By.cssSelector("#jobs-table tr[data-job-id='" + failed + "']"));
        assertEquals(before, listedJobIds());
        assertTrue(browser.findElement(By.id("filter-status-FAILED")).isSelected(), "the form shows the filter");
    }

    @Test
    @Order(3)
    void aSleepJobsProgressBarMovesWithoutAReloadAndCancelShowsCancelled() {
        // given a sleep job that reports progress once a second
        String jobId = submit("{\"type\":\"sleep\",\"payload\":{\"seconds\":25,\"steps\":25}}");

        // when its page is open while it runs
        open("#/job/" + jobId);
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = true;");
        int first = progress(1);
        int later = progress(first + 2);

        // then the bar moved on, in the same document (no reload)
        assertTrue(later > first, first + " then " + later);
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"));
        assertTrue(text("#job-status").contains("RUNNING"));
        screenshot("dashboard-job.png");

        // and when it is cancelled from the page, the page shows CANCELLED
        click(By.id("cancel-job"));
        waiting().until(driver -> text("#job-status").contains("CANCELLED"));
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"));
        assertEquals("CANCELLED", api.get("/jobs/" + jobId).json().get("status"));
    }

    @Test
    @Order(4)
    void aFailedJobIsRetriedFromItsPage() {
        // given a job that failed for good
        String jobId = submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false,\"code\":\"ONCE_MORE\"}}");
        awaitStatus(jobId, "FAILED");
        Map<String, Object> failed = api.get("/jobs/" + jobId).json();
        open("#/job/" + jobId);
        waitFor(By.id("retry-job"));
        assertTrue(text("#job-error-code").contains("ONCE_MORE"));

        // when Retry is clicked
        click(By.id("retry-job"));

        // then the job ran again (a new end, later than the first) and the page followed it
        Eventually.until(BOUND, () -> api.get("/jobs/" + jobId).json(),
                job -> "FAILED".equals(job.get("status")) && !job.get("finishedAt").equals(failed.get("finishedAt")),
                "the retried job ran again and ended");
        assertTrue(text("#message").contains("Queued again"));
        waiting().until(driver -> text("#job-status").contains("FAILED")
                && driver.findElements(By.id("retry-job")).size() == 1);
    }

    @Test
    @Order(5)
    void aPausedTypesJobsWaitAndRunOnceItIsResumed() {
        // given the sleep type paused from the overview
        open("#/");
        waitFor(By.cssSelector("button[data-pause=sleep]")).click();
        waitFor(By.cssSelector("button[data-resume=sleep]"));
        assertTrue(text("#paused-types").contains("sleep"), text("#paused-types"));
        assertEquals(true, jobType("sleep").get("paused"));
        assertEquals(List.of("sleep"), runner.status().pausedTypes(), "the terminal view's status shows it too");
        assertTrue(TerminalView.summary(runner.status()).endsWith("paused: sleep"), TerminalView.summary(runner.status()));
        sleep(Duration.ofSeconds(3));   // workers read the paused types at most every 2 s

        // when sleep jobs are submitted
        List<String> held = List.of(submit("{\"type\":\"sleep\",\"payload\":{\"millis\":10}}"),
                submit("{\"type\":\"sleep\",\"payload\":{\"millis\":10}}"));
        sleep(Duration.ofSeconds(6));

        // then they wait QUEUED, no attempt spent, and the list shows them so
        for (String id : held) {
            Map<String, Object> job = api.get("/jobs/" + id).json();
            assertEquals("QUEUED", job.get("status"), id);
            assertEquals(0, job.get("attempts"), id);
        }
        open("#/jobs?status=QUEUED&type=sleep");
        waitFor(By.cssSelector("#jobs-table tr[data-job-id='" + held.get(0) + "']"));
        assertTrue(listedJobIds().containsAll(held));

        // and when the type is resumed, they run
        open("#/");
        waitFor(By.cssSelector("button[data-resume=sleep]")).click();
        waitFor(By.cssSelector("button[data-pause=sleep]"));
        assertTrue(text("#paused-types").contains("No type is paused"));
        held.forEach(id -> awaitStatus(id, "SUCCEEDED"));
        assertEquals(1, api.get("/jobs/" + held.get(0)).json().get("attempts"));
    }

    @Test
    @Order(6)
    void bulkRetryRetriesTheFailedJobsTheFilterSelectsAfterAConfirmationNamingTheirCount() {
        // given failed jobs of type fail
        List<String> failed = List.of(submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false}}"),
                submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false}}"),
                submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false}}"));
        failed.forEach(id -> awaitStatus(id, "FAILED"));
        Map<String, Object> before = new java.util.HashMap<>();
        failed.forEach(id -> before.put(id, api.get("/jobs/" + id).json().get("finishedAt")));
        int matching = ((List<?>) api.get("/jobs?status=FAILED&type=fail&limit=100", "Authorization", ADMIN).json().get("jobs")).size();

        // when every FAILED fail job is retried from the list
        open("#/jobs?status=FAILED&type=fail");
        waitFor(By.cssSelector("#jobs-table tr[data-job-id='" + failed.get(0) + "']"));
        browser.findElement(By.id("bulk-retry")).click();
        WebElement confirm = waitFor(By.id("confirm-panel"));
        waiting().until(driver -> confirm.isDisplayed());

        // then the confirmation names the count, and confirming retries each of them
        assertTrue(text("#confirm-text").startsWith("Retry " + matching + " job"), text("#confirm-text"));
        browser.findElement(By.id("confirm-yes")).click();
        waiting().until(driver -> text("#message").startsWith("Retried"));
        assertTrue(text("#message").startsWith("Retried " + matching + " of " + matching), text("#message"));
        for (String id : failed) {
            Eventually.until(BOUND, () -> api.get("/jobs/" + id).json(),
                    job -> "FAILED".equals(job.get("status")) && !job.get("finishedAt").equals(before.get(id)),
                    id + " ran again");
        }
    }

    // ---- helpers

    private String submit(String body) {
        return api.submit(body);
    }

    private void awaitStatus(String jobId, String status) {
        Eventually.until(BOUND, () -> (String) api.get("/jobs/" + jobId).json().get("status"), status::equals,
                "job " + jobId + " is " + status);
    }

    private Map<?, ?> jobType(String name) {
        List<?> types = (List<?>) api.get("/job-types").json().get("types");
        return types.stream().map(type -> (Map<?, ?>) type).filter(type -> name.equals(type.get("name"))).findFirst().orElseThrow();
    }

    private void open(String hash) {
        String url = runner.apiUrl() + "/dashboard" + hash;
        if (browser.getCurrentUrl().startsWith(runner.apiUrl() + "/dashboard")) {
            // a new hash in the same document: the page renders it without a reload
            ((JavascriptExecutor) browser).executeScript("location.hash = arguments[0];", hash);
        } else {
            browser.get(url);
        }
    }

    /** A wait that looks again when the live page has redrawn an element under it. */
    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, BOUND);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Clicks what the locator finds, finding it again if the live page redrew it meanwhile. */
    private void click(By locator) {
        waiting().until(driver -> {
            driver.findElement(locator).click();
            return true;
        });
    }

    private WebElement waitFor(By locator) {
        return waiting().until(driver -> {
            List<WebElement> found = driver.findElements(locator);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    private String text(String css) {
        for (int tries = 0; tries < 5; tries++) {
            try {
                List<WebElement> found = browser.findElements(By.cssSelector(css));
                return found.isEmpty() ? "" : found.get(0).getText();
            } catch (StaleElementReferenceException redrawn) {
                // the live page replaced it between the find and the read: find it again
            }
        }
        return "";
    }

    private List<String> cells(String css) {
        waitFor(By.cssSelector(css));
        return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).collect(Collectors.toList());
    }

    private List<String> listedJobIds() {
        return browser.findElements(By.cssSelector("#jobs-table tbody tr")).stream()
                .map(row -> row.getAttribute("data-job-id")).collect(Collectors.toList());
    }

    /** The job page's progress bar's value, once it is at least {@code atLeast}. */
    private int progress(int atLeast) {
        return waiting().until(driver -> {
            List<WebElement> bar = driver.findElements(By.id("job-progress"));
            if (bar.isEmpty()) {
                return null;
            }
            int value = (int) Double.parseDouble(bar.get(0).getAttribute("value"));
            return value >= atLeast ? value : null;
        });
    }

    private void screenshot(String name) {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        try {
            Path target = Path.of("target", "dashboard-screenshots");
            Files.createDirectories(target);
            Files.write(target.resolve(name), png);
            if (Boolean.getBoolean("jobline.screenshots.update")) {
                Path docs = repositoryRoot().resolve("docs");
                Files.createDirectories(docs);
                Files.copy(target.resolve(name), docs.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path repositoryRoot() {
        return LocalAwsExtension.template().toAbsolutePath().getParent();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

}
