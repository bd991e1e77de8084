package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.api.ApiHandler;
import dev.jobline.json.Json;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 50 submissions of one concurrency key at the same moment, each through its own API function environment (as 50
 * concurrent Lambda invocations are): exactly one job is created and stored, and every other answer names it, as a
 * 409 or (onConflict returnExisting) as a 200 with that job. Every call and answer is held to openapi.yaml.
 */
@ExtendWith(LocalAwsExtension.class)
class ConcurrentKeySubmitIntegrationTest {
    private static final int SUBMITS = 50;

    /** One call and its answer. */
    private record Call(APIGatewayV2HTTPEvent event, APIGatewayV2HTTPResponse response) {
        Map<String, Object> body() {
            return Json.parseObject(response.getBody());
        }
    }

    /** {@value #SUBMITS} submissions of {@code body}, released together, each through its own API environment. */
    private static List<Call> submitAtOnce(Jobline jobline, String body) throws Exception {
        List<ApiHandler> environments = new ArrayList<>();
        for (int i = 0; i < SUBMITS; i++) {
            environments.add(jobline.apiWith(Map.of()));
        }
        ExecutorService threads = Executors.newFixedThreadPool(SUBMITS);
        CountDownLatch ready = new CountDownLatch(SUBMITS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Call>> calls = new ArrayList<>();
            for (int i = 0; i < SUBMITS; i++) {
                ApiHandler api = environments.get(i);
                APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
                event.setBody(body.replace("\"n\":0", "\"n\":" + i));
                calls.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    return new Call(event, api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10))));
                }));
            }
            ready.await(30, TimeUnit.SECONDS);
            go.countDown();
            List<Call> answered = new ArrayList<>();
            for (Future<Call> call : calls) {
                answered.add(call.get(60, TimeUnit.SECONDS));
            }
            answered.forEach(call -> OpenApiContract.check(call.event(), call.response()));
            return answered;
        } finally {
            threads.shutdownNow();
        }
    }

    private static Map<Integer, Integer> statuses(List<Call> calls) {
        Map<Integer, Integer> counts = new TreeMap<>();
        calls.forEach(call -> counts.merge(call.response().getStatusCode(), 1, Integer::sum));
        return counts;
    }

    private static String created(List<Call> calls) {
        return calls.stream().filter(call -> call.response().getStatusCode() == 202)
                .map(call -> (String) call.body().get("jobId")).findFirst().orElseThrow();
    }

    @Test
    void fiftyConcurrentSubmitsOfOneKeyCreateOneJobAndTheOtherFortyNineAre409NamingIt(LocalAws aws, LocalResources resources)
            throws Exception {
        Jobline jobline = new Jobline(aws, resources);

        List<Call> calls = submitAtOnce(jobline, "{\"type\":\"echo\",\"payload\":{\"n\":0},\"concurrencyKey\":\"one-at-a-time\"}");

        assertEquals(Map.of(202, 1, 409, SUBMITS - 1), statuses(calls));
        String jobId = created(calls);
        for (Call call : calls) {
            if (call.response().getStatusCode() == 409) {
                assertEquals(jobId, call.body().get("existingJobId"), call.response().getBody());
                assertEquals("/problems/concurrency-key-held", call.body().get("type"));
            }
        }
        assertEquals(1, jobline.storedItems(), "one job stored");
        assertEquals(1, KeyItems.count(jobline), "one key item");
        assertEquals(Optional.of(jobId), KeyItems.holder(jobline, "tenant-a", "one-at-a-time"));
        assertEquals(1, jobline.visibleMessages(), "one message sent");
        assertEquals(1, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight(),
                "the 49 refused submits gave back the places they took");
    }

    @Test
    void fiftyConcurrentSubmitsOfOneKeyWithReturnExistingCreateOneJobAndAnswerItFortyNineTimes(LocalAws aws,
            LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources);

        List<Call> calls = submitAtOnce(jobline,
                "{\"type\":\"echo\",\"payload\":{\"n\":0},\"concurrencyKey\":\"one-at-a-time\",\"onConflict\":\"returnExisting\"}");

        assertEquals(Map.of(202, 1, 200, SUBMITS - 1), statuses(calls));
        String jobId = created(calls);
        for (Call call : calls) {
            assertEquals(jobId, call.body().get("jobId"), call.response().getBody());
            assertEquals(call.response().getStatusCode() == 202 ? "created" : "existing",
                    call.response().getHeaders().get("jobline-submit-outcome"));
        }
        assertEquals(1, jobline.storedItems());
        assertEquals(1, KeyItems.count(jobline));
        assertEquals(1, jobline.visibleMessages());
        assertEquals(1, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight());
    }
}
