package dev.jobline.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.config.Priming;
import dev.jobline.config.SnapshotHooks;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;

/** API Gateway HTTP API (payload 2.0) to {@link JobsApi} and back. */
public final class ApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final JobsApi api;

    public ApiHandler() {                    // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().api());
        SnapshotHooks.register(Wiring.fromEnvironment(), Priming::submit);   // SnapStart: primed before the snapshot
    }

    /** The local runner: a function wired from its own environment in template.yaml. */
    public ApiHandler(Wiring wiring) {
        this(wiring.api());
    }

    public ApiHandler(JobsApi api) {         // tests and the local runner: pass the collaborators
        this.api = api;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context == null ? null : context.getFunctionName());
        Log.putContext("requestId", context == null ? null : context.getAwsRequestId());
        HttpResponse response;
        try {
            response = api.handle(toRequest(event));
        } catch (IllegalArgumentException e) {
            response = Problem.badRequest("invalid-body", "the body is not valid base64").toResponse();
        }
        Log.clearContext();
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(response.headers())
                .withBody(response.body())
                .withIsBase64Encoded(false)
                .build();
    }

    private static HttpRequest toRequest(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext requestContext = event.getRequestContext();
        String method = requestContext != null && requestContext.getHttp() != null ? requestContext.getHttp().getMethod() : null;
        String body = event.getBody();
        if (body != null && event.getIsBase64Encoded()) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        return new HttpRequest(method, event.getRawPath(), headers, event.getQueryStringParameters(), body,
                subject(requestContext), scopes(requestContext), requestContext == null ? null : requestContext.getRequestId());
    }

    /** The token's scopes: API Gateway's list when it has one, else the 'scope' or 'scp' claim, space-separated. */
    private static Set<String> scopes(APIGatewayV2HTTPEvent.RequestContext requestContext) {
        Set<String> scopes = new HashSet<>();
        if (requestContext == null || requestContext.getAuthorizer() == null || requestContext.getAuthorizer().getJwt() == null) {
            return scopes;
        }
        APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT jwt = requestContext.getAuthorizer().getJwt();
        if (jwt.getScopes() != null) {
            scopes.addAll(jwt.getScopes());
        }
        if (jwt.getClaims() != null) {
            for (String claim : List.of("scope", "scp")) {
                String value = jwt.getClaims().get(claim);
                if (value != null) {
                    scopes.addAll(Arrays.asList(value.trim().replaceAll("^\\[|]$", "").split("[\\s,]+")));
                }
            }
        }
        scopes.remove("");
        return scopes;
    }

    private static String subject(APIGatewayV2HTTPEvent.RequestContext requestContext) {
        if (requestContext == null || requestContext.getAuthorizer() == null
                || requestContext.getAuthorizer().getJwt() == null
                || requestContext.getAuthorizer().getJwt().getClaims() == null) {
            return null;
        }
        return requestContext.getAuthorizer().getJwt().getClaims().get("sub");
    }
}
