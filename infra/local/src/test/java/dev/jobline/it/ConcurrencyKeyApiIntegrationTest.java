package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * A submission whose concurrency key another job of the tenant holds, through the API function: refused with 409
 * naming the holder, or answered with the holder (onConflict returnExisting, never a 202 with an id that was not
 * stored), alone and in a batch; a type keyed by a payload field needs no client change; invalid key fields are a
 * 400 naming the field. Every call and answer is held to openapi.yaml.
 */
@ExtendWith(LocalAwsExtension.class)
class ConcurrencyKeyApiIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    private APIGatewayV2HTTPResponse submit(String tenant, String body) {
        return jobline.call("api-submit-job.json", event -> {
            event.setBody(body);
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
    }

    private APIGatewayV2HTTPResponse submit(String body) {
        return submit("tenant-a", body);
    }

    private APIGatewayV2HTTPResponse batch(String body) {
        return jobline.call("api-submit-batch.json", event -> event.setBody(body));
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse response) {
        return Json.parseObject(response.getBody());
    }

    private static String jobId(APIGatewayV2HTTPResponse response) {
        assertEquals(202, response.getStatusCode(), response.getBody());
        return (String) body(response).get("jobId");
    }

    private static String outcome(APIGatewayV2HTTPResponse response) {
        return response.getHeaders().get("jobline-submit-outcome");
    }

    @Test
    void aSubmitWhoseKeyAnotherJobHoldsIsRefusedWith409NamingThatJobItsStatusAndLink() {
        APIGatewayV2HTTPResponse first = submit("{\"type\":\"echo\",\"payload\":{\"n\":1},\"concurrencyKey\":\"report-2026-11\"}");
        String holder = jobId(first);
        assertEquals("created", outcome(first));

        APIGatewayV2HTTPResponse second = submit("{\"type\":\"echo\",\"payload\":{\"n\":2},\"concurrencyKey\":\"report-2026-11\"}");

        assertEquals(409, second.getStatusCode(), second.getBody());
        assertEquals("application/problem+json", second.getHeaders().get("content-type"));
        Map<String, Object> problem = body(second);
        assertEquals("/problems/concurrency-key-held", problem.get("type"));
        assertEquals(holder, problem.get("existingJobId"));
        assertEquals("QUEUED", problem.get("existingJobStatus"));
        assertEquals(Map.of("existing", "/jobs/" + holder), problem.get("links"));
        assertEquals(1, jobline.storedItems(), "the refused job was not stored");
        assertEquals(Optional.of(holder), KeyItems.holder(jobline, "tenant-a", "report-2026-11"));
        assertEquals(1, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight(),
                "the refused submit gave back the place it took in the quota");
    }

    @Test
    void withReturnExistingTheSubmitAnswers200WithTheHoldersViewAndSaysItIsExisting() {
        String holder = jobId(submit("{\"type\":\"echo\",\"payload\":{\"n\":1},\"concurrencyKey\":\"site-42\"}"));

        APIGatewayV2HTTPResponse again = submit("{\"type\":\"echo\",\"payload\":{\"n\":2},\"concurrencyKey\":\"site-42\","
                + "\"onConflict\":\"returnExisting\"}");

        assertEquals(200, again.getStatusCode(), again.getBody());
        assertEquals("existing", outcome(again));
        assertEquals("/jobs/" + holder, again.getHeaders().get("location"));
        assertEquals(jobline.view(holder), body(again), "the existing job's view, as GET /jobs/{id} shows it");
        assertEquals(Map.of("n", 1), body(again).get("payload"), "the holder's payload, not the new submission's");
        assertEquals(1, jobline.storedItems());
        assertEquals(1, jobline.visibleMessages(), "nothing was sent for the existing job");
    }

    @Test
    void aTypeKeyedByAPayloadFieldRefusesASecondScanOfTheSameSiteWithoutAClientChange() {
        String scan = jobId(submit("{\"type\":\"scan-site\",\"payload\":{\"siteId\":\"example.com\",\"pages\":1}}"));

        APIGatewayV2HTTPResponse sameSite = submit("{\"type\":\"scan-site\",\"payload\":{\"siteId\":\"example.com\",\"pages\":3}}");
        APIGatewayV2HTTPResponse otherSite = submit("{\"type\":\"scan-site\",\"payload\":{\"siteId\":\"example.org\",\"pages\":1}}");
        APIGatewayV2HTTPResponse otherTenant = submit("tenant-b", "{\"type\":\"scan-site\",\"payload\":{\"siteId\":\"example.com\"}}");

        assertEquals(409, sameSite.getStatusCode(), sameSite.getBody());
        assertEquals(scan, body(sameSite).get("existingJobId"));
        assertEquals(202, otherSite.getStatusCode(), "another site is another key");
        assertEquals(202, otherTenant.getStatusCode(), "keys are per tenant");
        Map<String, Object> view = jobline.view(scan);
        assertEquals("example.com", view.get("concurrencyKey"));
        assertEquals("active", view.get("keyScope"));
        assertTrue(view.containsKey("keyHeldUntil"), view.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBatchItemWhoseKeyIsHeldIsRefusedOrAnsweredWithTheHolderAndSinksNothingElse() {
        String holder = jobId(submit("{\"type\":\"echo\",\"payload\":{},\"concurrencyKey\":\"k1\"}"));

        APIGatewayV2HTTPResponse response = batch("{\"jobs\":["
                + "{\"type\":\"echo\",\"payload\":{\"i\":0},\"concurrencyKey\":\"k1\"},"
                + "{\"type\":\"echo\",\"payload\":{\"i\":1},\"concurrencyKey\":\"k2\"},"
                + "{\"type\":\"echo\",\"payload\":{\"i\":2},\"concurrencyKey\":\"k1\",\"onConflict\":\"returnExisting\"},"
                + "{\"type\":\"echo\",\"payload\":{\"i\":3},\"concurrencyKey\":\"k2\"}]}");

        assertEquals(202, response.getStatusCode(), response.getBody());
        Map<String, Object> answer = body(response);
        assertEquals(1, answer.get("accepted"));
        assertEquals(1, answer.get("existing"));
        assertEquals(2, answer.get("rejected"));
        List<Map<String, Object>> items = (List<Map<String, Object>>) answer.get("jobs");
        Map<String, Object> refused = (Map<String, Object>) items.get(0).get("error");
        assertEquals(409, refused.get("status"));
        assertEquals("/problems/concurrency-key-held", refused.get("type"));
        assertEquals(holder, refused.get("existingJobId"));
        String created = (String) items.get(1).get("jobId");
        assertNotEquals(null, created);
        assertNull(items.get(1).get("existing"));
        assertEquals(true, items.get(2).get("existing"));
        assertEquals(holder, items.get(2).get("jobId"));
        Map<String, Object> sameBatch = (Map<String, Object>) items.get(3).get("error");
        assertEquals(409, sameBatch.get("status"), "a key taken by an earlier item of the same batch is held");
        assertEquals(created, sameBatch.get("existingJobId"));
        assertEquals(2, jobline.storedItems(), "the holder and the one new job");
        assertEquals(Optional.of(created), KeyItems.holder(jobline, "tenant-a", "k2"));
        assertEquals(2, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBatchOfHeldKeysOnlyAnswers200WhenSomeItemAnsweredItsHolderAnd400WhenEveryItemWasRefused() {
        String holder = jobId(submit("{\"type\":\"echo\",\"payload\":{},\"concurrencyKey\":\"k1\"}"));

        APIGatewayV2HTTPResponse existing = batch("{\"jobs\":[{\"type\":\"echo\",\"concurrencyKey\":\"k1\",\"onConflict\":\"returnExisting\"},"
                + "{\"type\":\"echo\",\"concurrencyKey\":\"k1\"}]}");
        APIGatewayV2HTTPResponse refused = batch("{\"jobs\":[{\"type\":\"echo\",\"concurrencyKey\":\"k1\"}]}");

        assertEquals(200, existing.getStatusCode(), existing.getBody());
        assertEquals(0, body(existing).get("accepted"));
        assertEquals(1, body(existing).get("existing"));
        assertEquals(holder, ((List<Map<String, Object>>) body(existing).get("jobs")).get(0).get("jobId"));
        assertEquals(400, refused.getStatusCode(), refused.getBody());
        assertEquals(1, body(refused).get("rejected"));
        assertEquals(1, jobline.storedItems());
    }

    @Test
    void onConflictRejectIsTheDefaultAndMayBeSentWithoutAKey() {
        // what a client generated from openapi.yaml sends with every submission, keyed or not
        APIGatewayV2HTTPResponse unkeyed = submit("{\"type\":\"echo\",\"payload\":{},\"onConflict\":\"reject\"}");
        APIGatewayV2HTTPResponse batched = batch("{\"jobs\":[{\"type\":\"echo\",\"onConflict\":\"reject\"}]}");

        assertEquals(202, unkeyed.getStatusCode(), unkeyed.getBody());
        assertEquals(202, batched.getStatusCode(), batched.getBody());
        assertEquals(0, KeyItems.count(jobline));
    }

    @Test
    void invalidKeyFieldsAre400NamingTheFieldAndStoreNothing() {
        String longKey = "k".repeat(256);
        List<String[]> cases = List.of(
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"\"}", "concurrencyKey"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":42}", "concurrencyKey"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"" + longKey + "\"}", "concurrencyKey"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"a\\u0001b\"}", "concurrencyKey"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":null}", "concurrencyKey"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyScope\":\"forever\"}", "keyScope"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyScope\":3}", "keyScope"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyTtlSeconds\":0}", "keyTtlSeconds"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyTtlSeconds\":86401}", "keyTtlSeconds"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyTtlSeconds\":\"60\"}", "keyTtlSeconds"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"keyTtlSeconds\":1.5}", "keyTtlSeconds"},
                new String[] {"{\"type\":\"echo\",\"concurrencyKey\":\"k\",\"onConflict\":\"ignore\"}", "onConflict"},
                new String[] {"{\"type\":\"echo\",\"keyScope\":\"active\"}", "concurrencyKey"},
                new String[] {"{\"type\":\"echo\",\"onConflict\":\"returnExisting\"}", "concurrencyKey"},
                new String[] {"{\"type\":\"scan-site\",\"payload\":{\"pages\":1}}", "payload"},
                new String[] {"{\"type\":\"scan-site\",\"payload\":{\"siteId\":{\"host\":\"example.com\"}}}", "payload"});
        List<Executable> checks = new ArrayList<>();
        for (String[] bad : cases) {
            APIGatewayV2HTTPResponse response = submit(bad[0]);
            checks.add(() -> {
                assertEquals(400, response.getStatusCode(), bad[0] + " -> " + response.getBody());
                assertEquals("application/problem+json", response.getHeaders().get("content-type"));
                assertEquals(bad[1], body(response).get("field"), bad[0] + " -> " + response.getBody());
            });
        }
        assertAll(checks);
        assertEquals(0, jobline.storedItems());
        assertEquals(0, KeyItems.count(jobline));
        assertFalse(jobline.visibleMessages() > 0);
    }
}
