package dev.jobline.webhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WebhookSenderTest {

    @Test
    void redirectsAndClientErrorsAreFinalButTimeoutsThrottlingAndServerErrorsAreRetried() {
        for (int status : new int[] {301, 302, 307, 400, 401, 403, 404, 410, 422}) {
            assertTrue(WebhookSender.isPermanent(status), status + " is not retried");
        }
        for (int status : new int[] {408, 425, 429, 500, 502, 503, 504}) {
            assertFalse(WebhookSender.isPermanent(status), status + " is retried");
        }
        assertFalse(WebhookSender.isPermanent(null), "no answer (timeout, refused) is retried");
    }
}
