package dev.jobline.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private static final String SECRET = "whsec_test";
    private static final String BODY = "{\"jobId\":\"j-1\",\"status\":\"SUCCEEDED\"}";
    private static final long SENT = 1_795_633_200L;
    private static final Instant NOW = Instant.ofEpochSecond(SENT + 2);
    private static final Duration TOLERANCE = WebhookSignature.DEFAULT_TOLERANCE;

    @Test
    void theHeaderIsTheTimestampAndTheHmacOfTimestampDotBody() {
        // computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test', b'1795633200.' + body, hashlib.sha256).hexdigest())"
        assertEquals("t=1795633200,v1=dbcd779b85cd68debf4b71ee229f6e0c7a588f01205cfe779ab56de24d81d504",
                WebhookSignature.header(SECRET, SENT, BODY));
    }

    @Test
    void aSignatureMadeWithTheSecretVerifies() {
        String header = WebhookSignature.header(SECRET, SENT, BODY);

        assertTrue(WebhookSignature.verify(SECRET, header, BODY, NOW, TOLERANCE));
    }

    @Test
    void aTamperedBodyDoesNotVerify() {
        String header = WebhookSignature.header(SECRET, SENT, BODY);

        assertFalse(WebhookSignature.verify(SECRET, header, BODY.replace("SUCCEEDED", "FAILED"), NOW, TOLERANCE));
    }

    @Test
    void anotherSecretDoesNotVerify() {
        String header = WebhookSignature.header("whsec_other", SENT, BODY);

        assertFalse(WebhookSignature.verify(SECRET, header, BODY, NOW, TOLERANCE));
    }

    @Test
    void aSignatureOlderThanTheToleranceIsRejectedAsAPossibleReplay() {
        String header = WebhookSignature.header(SECRET, SENT, BODY);

        assertTrue(WebhookSignature.verify(SECRET, header, BODY, Instant.ofEpochSecond(SENT).plus(Duration.ofMinutes(5)), TOLERANCE),
                "exactly at the tolerance still verifies");
        assertFalse(WebhookSignature.verify(SECRET, header, BODY, Instant.ofEpochSecond(SENT).plus(Duration.ofMinutes(5)).plusSeconds(1), TOLERANCE));
    }

    @Test
    void aTimestampFarInTheFutureIsRejected() {
        String header = WebhookSignature.header(SECRET, SENT + 3600, BODY);

        assertFalse(WebhookSignature.verify(SECRET, header, BODY, NOW, TOLERANCE));
    }

    @Test
    void changingTheTimestampBreaksTheSignature() {
        String replayed = WebhookSignature.header(SECRET, SENT, BODY).replace("t=" + SENT, "t=" + (SENT + 2));

        assertFalse(WebhookSignature.verify(SECRET, replayed, BODY, NOW, TOLERANCE));
    }

    @Test
    void anyMatchingV1AmongSeveralVerifies() {
        String header = WebhookSignature.header(SECRET, SENT, BODY);
        String withOldKeyFirst = "t=" + SENT + ",v1=" + "00".repeat(32) + "," + header.substring(header.indexOf("v1="));

        assertTrue(WebhookSignature.verify(SECRET, withOldKeyFirst, BODY, NOW, TOLERANCE));
    }

    @Test
    void malformedHeadersDoNotVerify() {
        String signature = WebhookSignature.header(SECRET, SENT, BODY);
        String v1 = signature.substring(signature.indexOf("v1="));

        assertFalse(WebhookSignature.verify(SECRET, null, BODY, NOW, TOLERANCE));
        assertFalse(WebhookSignature.verify(SECRET, "", BODY, NOW, TOLERANCE));
        assertFalse(WebhookSignature.verify(SECRET, v1, BODY, NOW, TOLERANCE), "no timestamp");
        assertFalse(WebhookSignature.verify(SECRET, "t=" + SENT, BODY, NOW, TOLERANCE), "no signature");
        assertFalse(WebhookSignature.verify(SECRET, "t=soon," + v1, BODY, NOW, TOLERANCE), "timestamp not a number");
        assertFalse(WebhookSignature.verify(SECRET, "t=" + SENT + ",v1=not-hex", BODY, NOW, TOLERANCE));
        assertFalse(WebhookSignature.verify(SECRET, "t=" + SENT + ",v0=" + v1.substring(3), BODY, NOW, TOLERANCE), "unknown scheme");
    }
}
