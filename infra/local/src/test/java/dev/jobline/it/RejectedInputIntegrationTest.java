package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input gets a problem+json 4xx and leaves no trace in the table or the queue. */
@ExtendWith(LocalAwsExtension.class)
class RejectedInputIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    @AfterEach
    void nothingWasStoredOrSent() {
        assertEquals(0, jobline.storedItems(), "a rejected submission stores nothing");
        assertEquals(0, jobline.visibleMessages(), "a rejected submission sends nothing");
    }

    private static Map<String, Object> problem(APIGatewayV2HTTPResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals("application/problem+json", response.getHeaders().get("content-type"));
        Map<String, Object> body = Json.parseObject(response.getBody());
        assertEquals(status, body.get("status"));
        assertTrue(((String) body.get("type")).startsWith("/problems/"));
        assertTrue(body.containsKey("title") && body.containsKey("detail"), response.getBody());
        return body;
    }

    @Test
    void theInvalidSubmissionEventIsRejectedWithAReason() {
        Map<String, Object> body = problem(jobline.call("api-submit-invalid.json"), 400);
        assertEquals("/problems/unknown-job-type", body.get("type"));
    }

    @Test
    void malformedJsonIs400() {
        problem(jobline.call("api-submit-job.json", event -> event.setBody("{\"type\": \"echo\",")), 400);
    }

    @Test
    void aWrongContentTypeIs415() {
        problem(jobline.call("api-submit-job.json", event -> event.getHeaders().put("content-type", "text/plain")), 415);
    }

    @Test
    void aMissingContentTypeIs415() {
        problem(jobline.call("api-submit-job.json", event -> event.getHeaders().remove("content-type")), 415);
    }

    @Test
    void aPayloadOverTheLimitIs413AndSaysTheLimit() {
        String overTheLimit = "{\"type\":\"echo\",\"payload\":\"" + "x".repeat(260 * 1024) + "\"}";
        String farOverTheLimit = "{\"type\":\"echo\",\"payload\":\"" + "x".repeat(300 * 1024) + "\"}";

        Map<String, Object> payloadChecked = problem(jobline.call("api-submit-job.json", event -> event.setBody(overTheLimit)), 413);
        Map<String, Object> refusedEarly = problem(jobline.call("api-submit-job.json", event -> event.setBody(farOverTheLimit)), 413);

        assertEquals(256 * 1024, payloadChecked.get("limitBytes"), "the payload's own check");
        assertEquals(256 * 1024, refusedEarly.get("limitBytes"), "the check of the body's size, before it is parsed");
    }

    @Test
    void wrongFieldTypesAre400() {
        Map<String, Object> body = problem(jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"maxAttempts\":\"many\"}")), 400);
        assertEquals("maxAttempts", body.get("field"));
    }

    @Test
    void aBase64BodyThatIsNotBase64Is400() {
        problem(jobline.call("api-submit-job.json", event -> {
            event.setIsBase64Encoded(true);
            event.setBody("%%% not base64 %%%");
        }), 400);
    }

    // client input is a 4xx, never a 5xx

    @Test
    void aTenantIdTheTableCannotHoldIs401NotStorageUnreachable() {
        // given a sub of 10,000 characters (as a runner's X-Jobline-Tenant of 8,000 becomes): a key DynamoDB refuses
        String tenThousand = "t".repeat(10_000);

        // when it submits and lists
        Map<String, Object> submit = problem(jobline.call("api-submit-job.json",
                event -> event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenThousand)), 401);
        Map<String, Object> list = problem(jobline.as("api-list-jobs.json", tenThousand, Map.of()), 401);

        // then both are refused for the identity, not answered "storage unreachable"
        assertEquals("/problems/invalid-tenant", submit.get("type"));
        assertEquals("/problems/invalid-tenant", list.get("type"));
    }

    @Test
    void aSubThatIsNotATenantIdIs401() {
        // API Gateway passes a claim that is an array as "[a b]", and a control character is no id either
        for (String sub : java.util.List.of("[a]", "[a b]", "{\"id\":\"a\"}", "tenant a", "tenant\u0000", "t\u00e9nant", "")) {
            APIGatewayV2HTTPResponse response = jobline.call("api-submit-job.json",
                    event -> event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", sub));
            assertEquals(401, response.getStatusCode(), "sub " + Json.write(sub) + ": " + response.getBody());
        }
    }

    @Test
    void aBodyThatIsNotUtf8Is400NotReplacedAndStored() {
        // given a base64 body whose bytes are not UTF-8 (0xC3 0x28: a lead byte without its continuation)
        byte[] notUtf8 = "{\"type\":\"echo\",\"payload\":\"caf\u0000\"}".getBytes(StandardCharsets.UTF_8);
        notUtf8[notUtf8.length - 4] = (byte) 0xC3;
        notUtf8[notUtf8.length - 3] = (byte) 0x28;

        APIGatewayV2HTTPResponse response = jobline.call("api-submit-job.json", event -> {
            event.setIsBase64Encoded(true);
            event.setBody(Base64.getEncoder().encodeToString(notUtf8));
        });

        assertEquals("/problems/invalid-encoding", problem(response, 400).get("type"));
    }

    @Test
    void aLoneSurrogateIsRefusedInTheTextAndInAJsonEscape() {
        Map<String, Object> raw = problem(jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"payload\":\"\ud800\"}")), 400);
        Map<String, Object> escaped = problem(jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"payload\":{\"k\":\"\\ud800x\"}}")), 400);

        assertEquals("/problems/invalid-encoding", raw.get("type"));
        assertEquals("/problems/malformed-json", escaped.get("type"));
    }

    @Test
    void aCharsetOtherThanUtf8Is415NotReadAsUtf8() {
        String body = "{\"type\":\"echo\",\"payload\":\"caf\u00e9\"}";
        for (String contentType : java.util.List.of("application/json; charset=utf-16", "application/json;charset=latin1",
                "application/json; charset=\"ISO-8859-1\"", "application/json; charset=")) {
            APIGatewayV2HTTPResponse response = jobline.call("api-submit-job.json", event -> {
                event.getHeaders().put("content-type", contentType);
                event.setBody(body);
            });
            problem(response, 415);
        }
    }

    @Test
    void aNullOptionIs400NotTheDefault() {
        Map<String, Object> body = problem(jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"maxAttempts\":null}")), 400);
        assertEquals("maxAttempts", body.get("field"));
    }

    @Test
    void aRunAtLongBeforeTheEpochIs400() {
        Map<String, Object> body = problem(jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"runAt\":\"-999999999-01-01T00:00:00Z\"}")), 400);
        assertEquals("runAt", body.get("field"));
    }

    @Test
    void aCursorWhoseKeyTheTableRefusesIs400NotStorageUnreachable() {
        // given a cursor of the right shape whose key parts are empty, which DynamoDB refuses (ValidationException)
        String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"t\":\"tenant-a\",\"c\":\"\",\"j\":\"\"}".getBytes(StandardCharsets.UTF_8));

        APIGatewayV2HTTPResponse response = jobline.as("api-list-jobs.json", "tenant-a", Map.of("cursor", cursor));

        assertEquals("/problems/invalid-value", problem(response, 400).get("type"));
    }

    @Test
    void headAnswersAsGetWithoutTheBody() {
        APIGatewayV2HTTPResponse list = jobline.call("api-list-jobs.json", event -> event.getRequestContext().getHttp().setMethod("HEAD"));
        APIGatewayV2HTTPResponse missing = jobline.call("api-get-job.json", event -> event.getRequestContext().getHttp().setMethod("HEAD"));

        assertEquals(200, list.getStatusCode());
        assertEquals("application/json", list.getHeaders().get("content-type"));
        assertEquals(404, missing.getStatusCode());
        assertTrue(list.getBody() == null && missing.getBody() == null, "HEAD answers carry no body");
    }

    @Test
    void aCallerWithoutIdentityIs401() {
        problem(jobline.call("api-submit-job.json",
                event -> event.getRequestContext().getAuthorizer().getJwt().getClaims().remove("sub")), 401);
    }

    @Test
    void anUnknownJobIdIs404() {
        problem(jobline.get("00000000-0000-4000-8000-00000000dead", "tenant-a"), 404);
    }

    @Test
    void anUnknownRouteIs404AndAWrongMethodIs405() {
        problem(jobline.call("api-submit-job.json", event -> event.setRawPath("/nothing-here")), 404);
        APIGatewayV2HTTPResponse wrongMethod = jobline.call("api-submit-job.json",
                event -> event.getRequestContext().getHttp().setMethod("DELETE"));
        problem(wrongMethod, 405);
        assertEquals("GET, HEAD, POST", wrongMethod.getHeaders().get("allow"));
    }
}
