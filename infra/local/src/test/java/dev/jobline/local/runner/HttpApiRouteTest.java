package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API Gateway's route selection, without a server. */
class HttpApiRouteTest {
    private static final List<HttpApiRoute> ROUTES = List.of(
            new HttpApiRoute("GET", "/jobs/{id}", null, true),
            new HttpApiRoute("GET", "/jobs/stats", null, true),
            new HttpApiRoute("POST", "/jobs/{id}/cancel", null, true),
            new HttpApiRoute("ANY", "/files/{path+}", null, true),
            new HttpApiRoute("GET", "/files/{path+}", null, true));

    private static String routeFor(String method, String path) {
        return HttpApiRoute.find(ROUTES, method, path).map(match -> match.route().routeKey()).orElse("none");
    }

    @Test
    void aLiteralSegmentBeatsAParameter() {
        assertEquals("GET /jobs/stats", routeFor("GET", "/jobs/stats"));
        assertEquals("GET /jobs/{id}", routeFor("GET", "/jobs/42"));
    }

    @Test
    void theMethodAndTheNumberOfSegmentsMustMatch() {
        assertEquals("POST /jobs/{id}/cancel", routeFor("POST", "/jobs/42/cancel"));
        assertEquals("none", routeFor("DELETE", "/jobs/42"));
        assertEquals("none", routeFor("GET", "/jobs/42/cancel"));
        assertEquals("none", routeFor("GET", "/jobs"));
    }

    @Test
    void aGreedyParameterTakesTheRestAndTheRequestsMethodBeatsAny() {
        HttpApiRoute.Match match = HttpApiRoute.find(ROUTES, "GET", "/files/a/b/c.txt").orElseThrow();
        assertEquals("GET /files/{path+}", match.route().routeKey());
        assertEquals(Map.of("path", "a/b/c.txt"), match.pathParameters());
        assertEquals("ANY /files/{path+}", routeFor("PUT", "/files/x"));
    }

    @Test
    void theDefaultRouteTakesWhatNothingElseMatches() {
        List<HttpApiRoute> withDefault = List.of(new HttpApiRoute("GET", "/jobs/{id}", null, true),
                new HttpApiRoute("ANY", HttpApiRoute.DEFAULT_ROUTE, null, true));
        assertEquals("$default", HttpApiRoute.find(withDefault, "POST", "/anything").orElseThrow().route().routeKey());
        assertTrue(HttpApiRoute.find(withDefault, "GET", "/jobs/1").orElseThrow().route().routeKey().startsWith("GET"));
    }
}
