package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalAwsExtension.class)
class TemplateFunctionsTest {

    @Test
    void workerEnvironmentNamesTheLocalTableAndQueue(LocalResources resources) {
        Map<String, String> env = resources.environment("WorkerFunction");
        assertEquals(resources.tableName("JobsTable"), env.get("TABLE_NAME"));
        assertEquals(resources.queueUrl("JobsQueue"), env.get("QUEUE_URL"));
        assertEquals("8", env.get("IN_FLIGHT_SHARDS"));
        assertEquals("7", env.get("RETENTION_DAYS"), "RetentionDays' Default");
    }

    @Test
    @SuppressWarnings("unchecked")
    void environmentIsGlobalsOverlaidWithTheFunctionsOwnVariables(LocalResources resources) throws Exception {
        Map<String, Object> template = CfnYaml.load(LocalAwsExtension.template());
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) template.get("Globals")).get("Function")).get("Environment")).get("Variables");
        Map<String, Object> resourcesSection = (Map<String, Object>) template.get("Resources");
        for (String function : resources.functions().keySet()) {
            Map<String, Object> properties =
                    (Map<String, Object>) ((Map<String, Object>) resourcesSection.get(function)).get("Properties");
            Map<String, Object> own = properties.get("Environment") == null ? Map.of()
                    : (Map<String, Object>) ((Map<String, Object>) properties.get("Environment")).get("Variables");
            Set<String> expected = new LinkedHashSet<>(globals.keySet());
            expected.addAll(own.keySet());
            Map<String, String> env = resources.environment(function);
            assertEquals(expected, env.keySet(), function);
            own.forEach((name, value) -> {
                if (value instanceof String text) {
                    assertEquals(text, env.get(name), function + " " + name + " is the function's own value");
                }
            });
            globals.forEach((name, value) -> {
                if (value instanceof String text && !own.containsKey(name)) {
                    assertEquals(text, env.get(name), function + " " + name + " comes from Globals");
                }
            });
        }
    }

    @Test
    void environmentTakesParameterOverrides(LocalAws aws) {
        try (LocalResources resources = aws.provision(LocalAwsExtension.template(),
                ProvisionOptions.defaults().withParameters(Map.of("RetentionDays", "1")))) {
            assertEquals("1", resources.environment("WorkerFunction").get("RETENTION_DAYS"));
        }
    }

    @Test
    void functionModelHasHandlersTimeoutsAndEvents(LocalResources resources) {
        assertTrue(resources.functions().keySet().containsAll(
                List.of("ApiFunction", "WorkerFunction", "SweeperFunction")), resources.functions()::toString);
        // every SQS event of the template names a local queue
        resources.functions().values().forEach(function -> function.events("SQS").forEach(event ->
                assertTrue(resources.queueUrls().containsValue(event.queueUrl()), event::toString)));

        TemplateFunction worker = resources.function("WorkerFunction");
        assertEquals("dev.jobline.worker.WorkerHandler::handleRequest", worker.handler());
        assertEquals("dev.jobline.worker.WorkerHandler", worker.handlerClass());
        assertEquals("handleRequest", worker.handlerMethod());
        assertEquals(60, worker.timeoutSeconds());
        assertEquals(1024, worker.memorySize(), "from Globals");
        EventSource jobs = worker.events().get("Jobs");
        assertEquals("SQS", jobs.type());
        assertEquals(resources.queueUrl("JobsQueue"), jobs.queueUrl());
        assertEquals(10, jobs.batchSize());
        assertEquals(1, jobs.maximumBatchingWindowSeconds());
        assertTrue(jobs.reportsBatchItemFailures());
        assertEquals(Optional.of(10), jobs.maximumConcurrency());
        EventSource high = worker.events().get("HighPriorityJobs");
        assertEquals(resources.queueUrl("HighPriorityJobsQueue"), high.queueUrl());
        assertTrue(high.maximumConcurrency().orElseThrow() > jobs.maximumConcurrency().orElseThrow(), "high priority polls harder");
        assertEquals(List.of(jobs, high), worker.events("SQS"));

        TemplateFunction api = resources.function("ApiFunction");
        assertEquals(30, api.timeoutSeconds(), "a wait of up to 25 s fits in it");
        assertEquals("HttpApi", api.events().get("SubmitJob").type());
        assertEquals("POST", api.events().get("SubmitJob").properties().get("Method"));
        assertEquals("/jobs/{id}", api.events().get("GetJob").properties().get("Path"));
        // the HTTP API is not emulated: its Ref stays in long form
        assertEquals(Map.of("Ref", "JobsApi"), api.events().get("GetJob").properties().get("ApiId"));

        TemplateFunction sweeper = resources.function("SweeperFunction");
        assertEquals("dev.jobline.sweeper.SweeperHandler", sweeper.handlerClass());
        assertEquals("rate(1 minute)", sweeper.events().get("Sweep").schedule());
        assertThrows(IllegalStateException.class, () -> sweeper.events().get("Sweep").queueUrl());
        assertThrows(IllegalArgumentException.class, () -> resources.environment("JobsTable"));
    }
}
