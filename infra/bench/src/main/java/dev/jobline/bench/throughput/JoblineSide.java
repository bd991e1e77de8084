package dev.jobline.bench.throughput;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.jobline.api.ApiHandler;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LambdaSqsEvent;
import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.local.LocalResources;
import dev.jobline.local.TemplateFunction;
import dev.jobline.worker.WorkerHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Jobline's real handlers, one instance per emulated Lambda environment (as Lambda keeps one per concurrent
 * execution), each wired from its function's environment in template.yaml and given the counted clients.
 */
final class JoblineSide {
    private final Config apiConfig;
    private final Config workerConfig;
    private final TemplateFunction apiFunction;
    private final TemplateFunction workerFunction;
    private final Clients clients;
    private final Path submitEvent;

    JoblineSide(LocalResources resources, Clients clients, Path submitEvent) {
        this.apiConfig = Config.from(resources.environment("ApiFunction"));
        this.workerConfig = Config.from(resources.environment("WorkerFunction"));
        this.apiFunction = resources.function("ApiFunction");
        this.workerFunction = resources.function("WorkerFunction");
        this.clients = clients;
        this.submitEvent = submitEvent;
    }

    /** POST /jobs with events/api-submit-job.json (an echo job), as the given tenant, one job per request. */
    Pipeline.Submitter singleSubmitter() {
        ApiHandler api = api();
        APIGatewayV2HTTPEvent event = submitEvent();
        return (jobs, tenant) -> {
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
            APIGatewayV2HTTPResponse response = api.handleRequest(event, apiContext());
            if (response.getStatusCode() != 202) {
                throw new IllegalStateException("POST /jobs answered " + response.getStatusCode() + ": " + response.getBody());
            }
            return 1;
        };
    }

    /** An API handler on its own, for probing routes. */
    ApiHandler api() {
        return new ApiHandler(new Wiring(apiConfig, clients, JobCatalog.registry(), Clock.systemUTC()).api());
    }

    APIGatewayV2HTTPEvent submitEvent() {
        try (InputStream in = Files.newInputStream(submitEvent)) {
            return JacksonFactory.getInstance().getSerializer(APIGatewayV2HTTPEvent.class).fromJson(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + submitEvent, e);
        }
    }

    LambdaContext apiContext() {
        return new LambdaContext(apiFunction.logicalId(), Duration.ofSeconds(apiFunction.timeoutSeconds()), apiFunction.memorySize(), null);
    }

    /** WorkerHandler invoked with the event source's batch; answers its batchItemFailures. */
    EventSourcePoller.Function worker() {
        WorkerHandler handler = new WorkerHandler(new Wiring(workerConfig, clients, JobCatalog.registry(), Clock.systemUTC()).worker());
        return (batch, queueArn) -> {
            SQSBatchResponse response = handler.handleRequest(LambdaSqsEvent.event(batch, queueArn),
                    new LambdaContext(workerFunction.logicalId(), Duration.ofSeconds(workerFunction.timeoutSeconds()), workerFunction.memorySize(), null));
            List<String> redeliver = new ArrayList<>();
            for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
                redeliver.add(failure.getItemIdentifier());
            }
            return redeliver;
        };
    }

    int workerParallelism() {
        return workerConfig.workerParallelism();
    }

    TemplateFunction apiFunction() {
        return apiFunction;
    }

    TemplateFunction workerFunction() {
        return workerFunction;
    }

    /** Why POST /jobs/batch cannot be measured in this build, or empty when it answers as a route. */
    java.util.Optional<String> batchRouteMissing() {
        APIGatewayV2HTTPEvent probe = batchEvent(0);
        APIGatewayV2HTTPResponse response = api().handleRequest(probe, apiContext());
        if (response.getStatusCode() == 404 || response.getStatusCode() == 405) {
            return java.util.Optional.of("POST /jobs/batch answered " + response.getStatusCode() + " " + response.getBody());
        }
        return java.util.Optional.empty();
    }

    /** POST /jobs/batch with that many echo jobs (events/api-submit-job.json's body each); answers "accepted". */
    Pipeline.Submitter batchSubmitter() {
        ApiHandler api = api();
        return (jobs, tenant) -> {
            APIGatewayV2HTTPEvent event = batchEvent(jobs);
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
            APIGatewayV2HTTPResponse response = api.handleRequest(event, apiContext());
            if (response.getStatusCode() / 100 != 2) {
                throw new IllegalStateException("POST /jobs/batch answered " + response.getStatusCode() + ": " + response.getBody());
            }
            return ((Number) dev.jobline.json.Json.parseObject(response.getBody()).get("accepted")).intValue();
        };
    }

    private APIGatewayV2HTTPEvent batchEvent(int jobs) {
        APIGatewayV2HTTPEvent event = submitEvent();
        String one = event.getBody();
        List<String> submissions = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            submissions.add(one);
        }
        event.setBody("{\"jobs\": [" + String.join(", ", submissions) + "]}");
        event.setRawPath("/jobs/batch");
        event.setRouteKey("POST /jobs/batch");
        event.getRequestContext().setRouteKey("POST /jobs/batch");
        event.getRequestContext().getHttp().setPath("/jobs/batch");
        return event;
    }
}
