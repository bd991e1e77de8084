package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.cost.CostModel;
import dev.jobline.cost.JobCost;
import dev.jobline.cost.OnDemandPrices;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A job records what it cost at the dated on-demand prices; /stats sums it per tenant. */
@ExtendWith(LocalAwsExtension.class)
class CostIntegrationTest {
    private static final String TENANT = "tenant-cost";
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    private String submitAs(String tenant, String body) {
        APIGatewayV2HTTPResponse response = jobline.call("api-submit-job.json", event -> {
            event.setBody(body);
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
        assertEquals(202, response.getStatusCode(), response.getBody());
        return (String) Json.parseObject(response.getBody()).get("jobId");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> cost(String jobId, String tenant) {
        APIGatewayV2HTTPResponse response = jobline.get(jobId, tenant);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return (Map<String, Object>) Json.parseObject(response.getBody()).get("cost");
    }

    @Test
    void aFinishedJobShowsItsComputeRequestsAndDollarsAtTheDatedPrices() {
        String jobId = submitAs(TENANT, "{\"type\":\"sleep\",\"payload\":{\"millis\":300}}");
        jobline.receiveAndDeliver();

        Map<String, Object> cost = cost(jobId, TENANT);
        assertNotNull(cost, "the job view shows its cost");
        long computeMillis = ((Number) cost.get("computeMillis")).longValue();
        assertTrue(computeMillis >= 300, "the attempt slept 300 ms: " + cost);
        // the submission, then one attempt of a one-record batch with no heartbeat, at the template's 1024 MB
        JobCost expected = CostModel.submit(1).plus(new CostModel(1024).attempt(Duration.ofMillis(computeMillis), 1, 0, 0, false));
        assertEquals(expected.dollars().doubleValue(), ((Number) cost.get("dollars")).doubleValue(), 1e-12, cost.toString());
        assertEquals(expected.requests().doubleValue(), ((Number) cost.get("requests")).doubleValue(), 1e-9, cost.toString());
        assertEquals(computeMillis / 1000.0, ((Number) cost.get("gbSeconds")).doubleValue(), 1e-6, "1024 MB is one GB");
        assertTrue(((Number) cost.get("dollars")).doubleValue() > computeMillis / 1000.0 * OnDemandPrices.LAMBDA_GB_SECOND.doubleValue(),
                "compute and requests: " + cost);
        assertEquals(OnDemandPrices.AS_OF.toString(), cost.get("pricesAsOf"));
    }

    @Test
    void eachAttemptAddsToTheJobsCost() {
        String jobId = submitAs(TENANT, "{\"type\":\"fail\",\"payload\":{\"code\":\"DOWN\"},\"maxAttempts\":2}");
        jobline.receiveAndDeliver();
        double afterFirst = ((Number) cost(jobId, TENANT).get("dollars")).doubleValue();
        var retry = jobline.receive(Duration.ofSeconds(5));
        if (retry.getRecords().isEmpty()) {
            retry = jobline.receive(Duration.ofSeconds(5));
        }
        jobline.deliver(retry);

        double afterSecond = ((Number) cost(jobId, TENANT).get("dollars")).doubleValue();
        assertTrue(afterFirst > CostModel.submit(1).dollars().doubleValue(), "the first attempt added to the submission");
        assertTrue(afterSecond > afterFirst, afterFirst + " then " + afterSecond);
    }

    @Test
    @SuppressWarnings("unchecked")
    void statsSumTheCostOfEachTenantsJobs() {
        String first = submitAs(TENANT, "{\"type\":\"echo\",\"payload\":1}");
        String second = submitAs(TENANT, "{\"type\":\"echo\",\"payload\":2}");
        String other = submitAs("tenant-other", "{\"type\":\"echo\",\"payload\":3}");
        for (int batch = 0; batch < 5 && !(done(first, TENANT) && done(second, TENANT) && done(other, "tenant-other")); batch++) {
            jobline.receiveAndDeliver();
        }

        Map<String, Object> stats = Json.parseObject(jobline.call("api-stats.json").getBody());
        Map<String, Object> costs = (Map<String, Object>) stats.get("costByTenant");
        BigDecimal expected = dollars(first, TENANT).add(dollars(second, TENANT));
        assertEquals(expected.doubleValue(), ((Number) costs.get(TENANT)).doubleValue(), 1e-12, stats.toString());
        assertEquals(dollars(other, "tenant-other").doubleValue(), ((Number) costs.get("tenant-other")).doubleValue(), 1e-12);
        assertEquals(OnDemandPrices.AS_OF.toString(), stats.get("costPricesAsOf"));
    }

    private boolean done(String jobId, String tenant) {
        return jobline.job(jobId).status() == dev.jobline.job.JobStatus.SUCCEEDED;
    }

    private BigDecimal dollars(String jobId, String tenant) {
        return new BigDecimal(cost(jobId, tenant).get("dollars").toString());
    }
}
