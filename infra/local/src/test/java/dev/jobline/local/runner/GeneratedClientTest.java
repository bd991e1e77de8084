package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.client.ApiClient;
import dev.jobline.client.ApiException;
import dev.jobline.client.ApiResponse;
import dev.jobline.client.api.AdminApi;
import dev.jobline.client.api.JobsApi;
import dev.jobline.client.api.MetaApi;
import dev.jobline.client.api.TenantApi;
import dev.jobline.client.model.Batch;
import dev.jobline.client.model.BatchResult;
import dev.jobline.client.model.Job;
import dev.jobline.client.model.JobPage;
import dev.jobline.client.model.JobStatus;
import dev.jobline.client.model.RedriveResult;
import dev.jobline.client.model.Redrive;
import dev.jobline.client.model.Submission;
import dev.jobline.local.LocalAwsExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API as a user of openapi.yaml sees it: a client generated from the document by OpenAPI Generator
 * ({@code -g java --library native}, infra/local's pom.xml), calling the local runner over HTTP. Each call here is one
 * such a client once got wrong: a 202 read into a Job of nulls, a redrive result it could not read, a redrive body it
 * could not leave out.
 */
class GeneratedClientTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static LocalRunner runner;
    private static JobsApi jobs;
    private static AdminApi admin;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        runner = LocalRunner.start(RunnerOptions.defaults(LocalAwsExtension.template())
                .withApiPort(0)
                .withStackPorts(0, 0)
                .withOutput(RunnerOptions.Output.PLAIN)
                .withLogFile(dir.resolve("jobline.log")));
        client = new ApiClient();
        client.updateBaseUri(runner.apiUrl().toString());
        jobs = new JobsApi(client);
        ApiClient operator = new ApiClient();
        operator.updateBaseUri(runner.apiUrl().toString());
        String claims = "{\"sub\":\"operator\",\"scope\":\"jobline/admin\"}";
        String token = "eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
        operator.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        admin = new AdminApi(operator);
    }

    @AfterAll
    static void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void aSubmittedJobIsReadAsAJobAndFollowedToItsResult() throws ApiException {
        ApiResponse<Job> submitted = jobs.submitJobWithHttpInfo(new Submission().type("echo")
                .payload(Map.of("hello", "client")).priority("HIGH"), null, null);

        Job job = submitted.getData();
        assertEquals(202, submitted.getStatusCode());
        assertEquals("echo", job.getType(), "the 202 is a Job, not an id with nulls around it");
        assertEquals(JobStatus.QUEUED, job.getStatus());
        assertEquals(Job.PriorityEnum.HIGH, job.getPriority());
        assertEquals(0, job.getAttempts());
        Eventually.until(BOUND, () -> statusOf(job.getJobId()), JobStatus.SUCCEEDED::equals, "job " + job.getJobId() + " succeeds");
        assertEquals(Map.of("hello", "client"), jobs.getJob(job.getJobId(), null, null, null).getResult());
        JobPage succeeded = jobs.listJobs(List.of("succeeded"), "echo", null, null, null, null, null, null, 10, null);
        assertTrue(succeeded.getJobs().stream().anyMatch(listed -> listed.getJobId().equals(job.getJobId())));
    }

    private static JobStatus statusOf(String jobId) {
        try {
            return jobs.getJob(jobId, null, null, null).getStatus();
        } catch (ApiException e) {
            throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
        }
    }

    @Test
    void aJobWithoutAPayloadIsReadWithoutOne() throws ApiException {
        Job job = jobs.submitJob(new Submission().type("echo"), null, null);

        assertNull(jobs.getJob(job.getJobId(), null, null, null).getPayload());
    }

    @Test
    void aRepeatedIdempotentSubmitIsTheSameJob() throws ApiException {
        Submission submission = new Submission().type("sleep").payload(Map.of("millis", 1)).delaySeconds(600);

        ApiResponse<Job> first = jobs.submitJobWithHttpInfo(submission, "client-key-1", null);
        ApiResponse<Job> again = jobs.submitJobWithHttpInfo(submission, "client-key-1", null);

        assertEquals(List.of(202, 200), List.of(first.getStatusCode(), again.getStatusCode()));
        assertEquals(first.getData().getJobId(), again.getData().getJobId());
        assertEquals(JobStatus.CANCELLED, jobs.cancelJob(first.getData().getJobId()).getStatus());
        assertEquals(JobStatus.QUEUED, jobs.retryJob(first.getData().getJobId()).getStatus());
    }

    @Test
    void aBatchAnswersEachItem() throws ApiException {
        BatchResult result = jobs.submitJobs(new Batch().jobs(List.of(new Submission().type("echo"),
                new Submission().type("no-such-type"))));

        assertEquals(1, result.getAccepted());
        assertNotNull(result.getJobs().get(0).getJobId());
        assertEquals("/problems/unknown-job-type", result.getJobs().get(1).getError().getType());
    }

    @Test
    void aProblemIsAnApiExceptionWithItsStatusAndBody() {
        ApiException missing = assertThrows(ApiException.class, () -> jobs.getJob("00000000-0000-4000-8000-00000000dead", null, null, null));

        assertEquals(404, missing.getCode());
        assertTrue(missing.getResponseBody().contains("/problems/not-found"), missing.getResponseBody());
    }

    @Test
    void theTenantRoutesAnswerTheirSchemas() throws ApiException {
        assertEquals("ok", new MetaApi(client).getHealth().getStatus().getValue());
        assertTrue(jobs.listJobTypes().getTypes().stream().anyMatch(type -> type.getName().equals("echo")));
        assertTrue(new TenantApi(client).getWebhookSecret().getSecret().startsWith("whsec_"));
    }

    @Test
    void anOperatorRedrivesWithoutABodyAndReadsTheDeadLetterMove() throws ApiException {
        RedriveResult defaults = admin.redriveFailedJobs(null);
        RedriveResult dryRun = admin.redriveFailedJobs(new Redrive().dryRun(true).moveDeadLetterMessages(true));

        assertEquals(false, defaults.getDryRun());
        assertNull(defaults.getDeadLetterMove());
        assertEquals(false, dryRun.getDeadLetterMove().getStarted());
        assertEquals(0, dryRun.getDeadLetterMove().getDeadLetterQueue());
        assertNotNull(admin.getStats().getJobs());
    }
}
