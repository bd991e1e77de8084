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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * sam local start-api runs no JWT authorizer (SAM CLI keeps only Lambda authorizers), so its events carry no claims.
 * With AWS_SAM_LOCAL=true, which SAM CLI alone sets, the API function takes the caller the request names, as the local
 * runner does (an unsigned token's sub, or X-Jobline-Tenant); never otherwise.
 */
@ExtendWith(LocalAwsExtension.class)
class SamLocalIdentityIntegrationTest {
    private static final Map<String, String> SAM_LOCAL = Map.of("AWS_SAM_LOCAL", "true");

    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    /** A submission as sam local start-api delivers it: no authorizer in the request context; only these headers. */
    private static APIGatewayV2HTTPEvent samLocalSubmit(Map<String, String> headers) {
        APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
        event.getRequestContext().setAuthorizer(null);
        Map<String, String> all = new HashMap<>(Map.of("content-type", "application/json"));
        all.putAll(headers);
        event.setHeaders(all);
        return event;
    }

    private APIGatewayV2HTTPResponse call(ApiHandler api, APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse response = api.handleRequest(event, new LambdaContext("ApiFunction", Duration.ofSeconds(10)));
        OpenApiContract.check(event, response);
        return response;
    }

    private String tenantOf(APIGatewayV2HTTPResponse response) {
        assertEquals(202, response.getStatusCode(), response.getBody());
        return jobline.job((String) Json.parseObject(response.getBody()).get("jobId")).tenantId();
    }

    private static String unsignedToken(String payloadJson) {
        return "Bearer eyJhbGciOiJub25lIn0."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    @Test
    void underSamLocalTheTenantHeaderOrTheUnsignedTokenNamesTheCaller() {
        ApiHandler api = jobline.apiWithLambdaVariables(SAM_LOCAL);

        String byHeader = tenantOf(call(api, samLocalSubmit(Map.of("x-jobline-tenant", "tenant-b"))));
        String byToken = tenantOf(call(api, samLocalSubmit(Map.of("authorization", unsignedToken("{\"sub\":\"tenant-c\"}")))));

        assertEquals("tenant-b", byHeader);
        assertEquals("tenant-c", byToken);
    }

    @Test
    void underSamLocalAnAdminTokensScopeOpensTheAdminRoutes() {
        ApiHandler api = jobline.apiWithLambdaVariables(SAM_LOCAL);
        APIGatewayV2HTTPEvent stats = Jobline.apiEvent("api-stats.json");
        stats.getRequestContext().setAuthorizer(null);
        stats.setHeaders(new HashMap<>(Map.of("authorization", unsignedToken("{\"sub\":\"ops\",\"scope\":\"jobline/admin\"}"))));

        assertEquals(200, call(api, stats).getStatusCode());
    }

    @Test
    void underSamLocalATokenWhoseSubIsNotAStringOrThatIsNoJwtIs401() {
        ApiHandler api = jobline.apiWithLambdaVariables(SAM_LOCAL);

        for (String authorization : new String[] {unsignedToken("{\"sub\":123}"), unsignedToken("{\"sub\":[\"a\"]}"),
                unsignedToken("{\"sub\":null}"), "Bearer not-a-jwt"}) {
            APIGatewayV2HTTPResponse response = call(api, samLocalSubmit(Map.of("authorization", authorization)));
            assertEquals(401, response.getStatusCode(), authorization + ": " + response.getBody());
        }
        assertEquals(0, jobline.storedItems());
    }

    @Test
    void withoutSamLocalARequestCannotNameItsOwnCaller() {
        // given the same requests, in AWS (no AWS_SAM_LOCAL) or with any other value of it
        for (Map<String, String> variables : java.util.List.of(Map.<String, String>of(), Map.of("AWS_SAM_LOCAL", "false"))) {
            ApiHandler api = jobline.apiWithLambdaVariables(variables);

            APIGatewayV2HTTPResponse byHeader = call(api, samLocalSubmit(Map.of("x-jobline-tenant", "tenant-b")));
            APIGatewayV2HTTPResponse byToken = call(api, samLocalSubmit(Map.of("authorization", unsignedToken("{\"sub\":\"tenant-c\"}"))));

            assertEquals(401, byHeader.getStatusCode(), variables + ": " + byHeader.getBody());
            assertEquals(401, byToken.getStatusCode(), variables + ": " + byToken.getBody());
        }
        assertEquals(0, jobline.storedItems());
    }

    @Test
    void underSamLocalAnAuthorizersClaimsStillWin() {
        // given an event with the authorizer's claims (sam local invoke -e events/...), and a header naming another tenant
        ApiHandler api = jobline.apiWithLambdaVariables(SAM_LOCAL);
        APIGatewayV2HTTPEvent event = Jobline.apiEvent("api-submit-job.json");
        event.getHeaders().put("x-jobline-tenant", "tenant-b");

        assertEquals("tenant-a", tenantOf(call(api, event)));
    }
}
