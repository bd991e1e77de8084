package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /schedules on the real tables through the API function: definitions, reads, changes, and every bad input a 4xx. */
@ExtendWith(LocalAwsExtension.class)
class ScheduleApiIntegrationTest {
    private static final String JOB = "{\"type\":\"echo\",\"payload\":{\"scan\":\"nightly\"}}";

    @Test
    void aCronScheduleInATimeZoneShowsItsNextFiresAndCanBeListedChangedAndDeleted(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        APIGatewayV2HTTPResponse created = jobline.schedule("POST", "/schedules",
                "{\"name\":\"nightly-rescan\",\"cron\":\"30 2 * * *\",\"timeZone\":\"Europe/Berlin\",\"job\":" + JOB + "}");

        assertEquals(201, created.getStatusCode(), created.getBody());
        assertEquals("/schedules/nightly-rescan", created.getHeaders().get("location"));
        Map<String, Object> view = Json.parseObject(created.getBody());
        assertEquals("skip", view.get("overlap"), "skip is the default");
        assertEquals("active", view.get("state"));
        List<?> fires = (List<?>) view.get("nextFires");
        assertEquals(5, fires.size());
        for (Object fire : fires) {
            // 02:30 in Berlin is 00:30 or 01:30 UTC, by the season
            String time = ((String) fire).substring(11, 16);
            assertTrue(time.equals("00:30") || time.equals("01:30"), fires.toString());
        }
        Map<String, Object> read = Json.parseObject(jobline.call("api-get-schedule.json",
                event -> event.setQueryStringParameters(Map.of("fires", "12"))).getBody());
        assertEquals(view.get("nextFireAt"), read.get("nextFireAt"));
        assertEquals(12, ((List<?>) read.get("nextFires")).size());

        APIGatewayV2HTTPResponse changed = jobline.schedule("PATCH", "/schedules/nightly-rescan",
                "{\"rate\":\"2 hours\",\"overlap\":\"allow\"}");
        assertEquals(200, changed.getStatusCode(), changed.getBody());
        Map<String, Object> after = Json.parseObject(changed.getBody());
        assertEquals("2 hours", after.get("rate"));
        assertNull(after.get("cron"));
        assertNull(after.get("timeZone"));
        assertEquals(2, ((Number) after.get("version")).intValue());

        assertEquals(204, jobline.schedule("DELETE", "/schedules/nightly-rescan", null).getStatusCode());
        assertEquals(404, jobline.schedule("GET", "/schedules/nightly-rescan", null).getStatusCode());
        assertEquals(404, jobline.schedule("DELETE", "/schedules/nightly-rescan", null).getStatusCode());
    }

    @Test
    void aTenantsSchedulesAreListedByNamePageByPageAndAnotherTenantSeesNone(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        for (int i = 0; i < 5; i++) {
            assertEquals(201, jobline.schedule("POST", "/schedules", "{\"name\":\"s" + i + "\",\"rate\":\"1 hour\",\"job\":" + JOB + "}")
                    .getStatusCode());
        }

        List<Object> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String path = "/schedules?limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
            Map<String, Object> page = Json.parseObject(listAs(jobline, path, "tenant-a").getBody());
            ((List<?>) page.get("schedules")).forEach(schedule -> names.add(((Map<?, ?>) schedule).get("name")));
            cursor = (String) page.get("nextCursor");
            pages++;
        } while (cursor != null);

        assertEquals(List.of("s0", "s1", "s2", "s3", "s4"), names);
        assertTrue(pages >= 3, "two a page");
        assertEquals(List.of(), Json.parseObject(listAs(jobline, "/schedules", "tenant-b").getBody()).get("schedules"));
        assertEquals(404, jobline.schedule("GET", "/schedules/s1", null, "tenant-b").getStatusCode(), "another tenant's is not found");
        assertEquals(404, jobline.schedule("PATCH", "/schedules/s1", "{\"paused\":true}", "tenant-b").getStatusCode());
        assertEquals(404, jobline.schedule("DELETE", "/schedules/s1", null, "tenant-b").getStatusCode());
        assertEquals(201, jobline.schedule("POST", "/schedules", "{\"name\":\"s1\",\"rate\":\"1 hour\",\"job\":" + JOB + "}", "tenant-b")
                .getStatusCode(), "names are per tenant");
    }

    private static APIGatewayV2HTTPResponse listAs(Jobline jobline, String pathAndQuery, String tenant) {
        int question = pathAndQuery.indexOf('?');
        Map<String, String> query = new java.util.HashMap<>();
        if (question >= 0) {
            for (String pair : pathAndQuery.substring(question + 1).split("&")) {
                String[] parts = pair.split("=", 2);
                query.put(parts[0], parts[1]);
            }
        }
        return jobline.call("api-create-schedule.json", event -> {
            event.setRawPath("/schedules");
            event.getRequestContext().getHttp().setPath("/schedules");
            event.getRequestContext().getHttp().setMethod("GET");
            event.setRouteKey("GET /schedules");
            event.setBody(null);
            event.getHeaders().remove("content-type");
            event.setQueryStringParameters(query.isEmpty() ? null : query);
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
    }

    @Test
    void everyBadDefinitionIsA4xxProblemNamingWhatToChange(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String later = Instant.now().plusSeconds(3600).toString();
        String earlier = Instant.now().plusSeconds(60).toString();
        Object[][] cases = {
                // body, status, problem type, field
                {"", 400, "invalid-body", null},
                {"[1]", 400, "invalid-body", null},
                {"{\"name\":", 400, "malformed-json", null},
                {"{\"rate\":\"1 hour\",\"job\":" + JOB + "}", 400, "missing-field", "name"},
                {"{\"name\":\"bad name\",\"rate\":\"1 hour\",\"job\":" + JOB + "}", 400, "invalid-field", "name"},
                {"{\"name\":\"" + "n".repeat(65) + "\",\"rate\":\"1 hour\",\"job\":" + JOB + "}", 400, "invalid-field", "name"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\"}", 400, "missing-field", "job"},
                {"{\"name\":\"a\",\"job\":" + JOB + "}", 400, "invalid-field", "cron"},
                {"{\"name\":\"a\",\"cron\":\"0 * * * *\",\"rate\":\"1 hour\",\"job\":" + JOB + "}", 400, "invalid-field", "rate"},
                {"{\"name\":\"a\",\"cron\":\"0 24 * * *\",\"job\":" + JOB + "}", 400, "invalid-field", "cron"},
                {"{\"name\":\"a\",\"cron\":\"0 0 30 2 *\",\"job\":" + JOB + "}", 400, "invalid-field", "cron"},
                {"{\"name\":\"a\",\"cron\":\"0 2 * *\",\"job\":" + JOB + "}", 400, "invalid-field", "cron"},
                {"{\"name\":\"a\",\"cron\":7,\"job\":" + JOB + "}", 400, "invalid-field", "cron"},
                {"{\"name\":\"a\",\"cron\":\"0 2 * * *\",\"timeZone\":\"Mars/Olympus\",\"job\":" + JOB + "}", 400, "invalid-field", "timeZone"},
                {"{\"name\":\"a\",\"cron\":\"0 2 * * *\",\"timeZone\":\"+02:00\",\"job\":" + JOB + "}", 400, "invalid-field", "timeZone"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"timeZone\":\"Europe/Berlin\",\"job\":" + JOB + "}", 400, "invalid-field", "timeZone"},
                {"{\"name\":\"a\",\"rate\":\"30 seconds\",\"job\":" + JOB + "}", 400, "invalid-field", "rate"},
                {"{\"name\":\"a\",\"rate\":\"often\",\"job\":" + JOB + "}", 400, "invalid-field", "rate"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"overlap\":\"queue\",\"job\":" + JOB + "}", 400, "invalid-field", "overlap"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":[]}", 400, "invalid-field", "job"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"no-such-type\"}}", 400, "unknown-job-type", "type"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"echo\",\"maxAttempts\":0}}", 400, "invalid-field", "maxAttempts"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"echo\",\"runAt\":\"" + later + "\"}}", 400, "invalid-field", "job.runAt"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"echo\",\"delaySeconds\":5}}", 400, "invalid-field", "job.delaySeconds"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"echo\",\"concurrencyKey\":\"k\"}}", 400, "invalid-field", "job.concurrencyKey"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"echo\",\"dependsOn\":[\"" + java.util.UUID.randomUUID() + "\"]}}", 400, "invalid-field", "job.dependsOn"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"echo\",\"ref\":\"r\"}}", 400, "invalid-field", "job.ref"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"job\":{\"type\":\"scan-site\",\"payload\":{}}}", 400, "missing-field", "payload"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"startAt\":\"" + later + "\",\"endAt\":\"" + earlier + "\",\"job\":" + JOB + "}", 400, "invalid-field", "endAt"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"endAt\":\"2020-01-01T00:00:00Z\",\"job\":" + JOB + "}", 400, "invalid-field", "endAt"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"startAt\":\"tomorrow\",\"job\":" + JOB + "}", 400, "invalid-field", "startAt"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"startAt\":\"2099-01-01T00:00:00Z\",\"job\":" + JOB + "}", 400, "invalid-field", "startAt"},
                {"{\"name\":\"a\",\"cron\":\"0 2 1 1 *\",\"endAt\":\"" + later + "\",\"job\":" + JOB + "}", 400, "invalid-field", "endAt"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"paused\":\"yes\",\"job\":" + JOB + "}", 400, "invalid-field", "paused"},
                {"{\"name\":\"a\",\"rate\":\"1 hour\",\"color\":\"red\",\"job\":" + JOB + "}", 400, "unknown-field", null},
        };
        List<String> wrong = new ArrayList<>();
        for (Object[] c : cases) {
            APIGatewayV2HTTPResponse response = jobline.schedule("POST", "/schedules", (String) c[0]);
            Map<String, Object> problem = response.getBody() == null ? Map.of() : Json.parseObject(response.getBody());
            if (response.getStatusCode() != (int) c[1] || !("/problems/" + c[2]).equals(problem.get("type"))
                    || c[3] != null && !c[3].equals(problem.get("field"))) {
                wrong.add(c[0] + " -> " + response.getStatusCode() + " " + response.getBody());
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(List.of(), Json.parseObject(listAs(jobline, "/schedules", "tenant-a").getBody()).get("schedules"),
                "nothing was stored");
    }

    @Test
    void aDuplicateNameAWrongMediaTypeBadParametersAndBadChangesAre4xx(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String body = "{\"name\":\"dup\",\"rate\":\"1 hour\",\"job\":" + JOB + "}";
        assertEquals(201, jobline.schedule("POST", "/schedules", body).getStatusCode());

        APIGatewayV2HTTPResponse duplicate = jobline.schedule("POST", "/schedules", body);
        APIGatewayV2HTTPResponse textBody = jobline.call("api-create-schedule.json", event -> event.getHeaders().put("content-type", "text/plain"));
        APIGatewayV2HTTPResponse badFires = jobline.call("api-get-schedule.json", event -> event.setQueryStringParameters(Map.of("fires", "0")));
        APIGatewayV2HTTPResponse badLimit = listAs(jobline, "/schedules?limit=1000", "tenant-a");
        APIGatewayV2HTTPResponse badCursor = listAs(jobline, "/schedules?cursor=%%%", "tenant-a");
        APIGatewayV2HTTPResponse rename = jobline.schedule("PATCH", "/schedules/dup", "{\"name\":\"other\"}");
        APIGatewayV2HTTPResponse badCron = jobline.schedule("PATCH", "/schedules/dup", "{\"cron\":\"61 * * * *\"}");
        APIGatewayV2HTTPResponse zoneOnRate = jobline.schedule("PATCH", "/schedules/dup", "{\"timeZone\":\"Europe/Berlin\"}");
        APIGatewayV2HTTPResponse badTemplate = jobline.schedule("PATCH", "/schedules/dup", "{\"job\":{\"type\":\"echo\",\"priority\":\"urgent\"}}");
        APIGatewayV2HTTPResponse missing = jobline.schedule("PATCH", "/schedules/nope", "{\"paused\":true}");
        APIGatewayV2HTTPResponse badName = jobline.schedule("GET", "/schedules/" + "x".repeat(70), null);

        assertEquals(409, duplicate.getStatusCode());
        assertEquals("/problems/schedule-exists", Json.parseObject(duplicate.getBody()).get("type"));
        assertEquals(415, textBody.getStatusCode());
        assertEquals(400, badFires.getStatusCode(), badFires.getBody());
        assertEquals(400, badLimit.getStatusCode());
        assertEquals(400, badCursor.getStatusCode(), badCursor.getBody());
        assertEquals(400, rename.getStatusCode());
        assertEquals(400, badCron.getStatusCode());
        assertTrue(Json.parseObject(badCron.getBody()).get("detail").toString().contains("minute field takes 0-59"), badCron.getBody());
        assertEquals(400, zoneOnRate.getStatusCode());
        assertEquals(400, badTemplate.getStatusCode());
        assertEquals(404, missing.getStatusCode());
        assertEquals(400, badName.getStatusCode());
        Map<String, Object> unchanged = Json.parseObject(jobline.schedule("GET", "/schedules/dup", null).getBody());
        assertEquals(1, ((Number) unchanged.get("version")).intValue(), "no refused change was written");
        assertFalse(unchanged.containsKey("cron"));
    }
}
