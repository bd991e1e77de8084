package dev.jobline.local.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test function: answers 201 with what it received (event fields and Context), as JSON. */
public final class EchoHttpHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("routeKey", event.getRouteKey());
        seen.put("rawPath", event.getRawPath());
        seen.put("rawQueryString", event.getRawQueryString());
        seen.put("pathParameters", event.getPathParameters());
        seen.put("queryStringParameters", event.getQueryStringParameters());
        seen.put("headers", event.getHeaders());
        seen.put("body", event.getBody());
        seen.put("isBase64Encoded", event.getIsBase64Encoded());
        seen.put("method", event.getRequestContext().getHttp().getMethod());
        seen.put("claims", event.getRequestContext().getAuthorizer().getJwt().getClaims());
        seen.put("requestId", context.getAwsRequestId());
        seen.put("functionName", context.getFunctionName());
        seen.put("remainingMillis", context.getRemainingTimeInMillis());
        try {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                    .withHeaders(Map.of("content-type", "application/json", "x-echo", "yes"))
                    .withBody(JSON.std.asString(seen)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
