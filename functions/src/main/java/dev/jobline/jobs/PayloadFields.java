package dev.jobline.jobs;

import dev.jobline.job.JobFailure;
import java.util.Map;

/** Reads typed fields from a built-in job's payload; a wrong shape fails the job permanently. */
final class PayloadFields {
    private PayloadFields() {
    }

    static Map<?, ?> object(Object payload) {
        if (payload == null) {
            return Map.of();
        }
        if (payload instanceof Map<?, ?> map) {
            return map;
        }
        throw invalid("payload must be a JSON object");
    }

    static long optionalLong(Map<?, ?> payload, String field, long fallback) {
        Object value = payload.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
            return number.longValue();
        }
        throw invalid(field + " must be a whole number");
    }

    static boolean optionalBoolean(Map<?, ?> payload, String field, boolean fallback) {
        Object value = payload.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw invalid(field + " must be true or false");
    }

    static String optionalString(Map<?, ?> payload, String field, String fallback) {
        Object value = payload.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String text) {
            return text;
        }
        throw invalid(field + " must be a string");
    }

    private static JobFailure invalid(String why) {
        return JobFailure.permanent("INVALID_PAYLOAD", why);
    }
}
