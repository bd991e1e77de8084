package dev.jobline.iam;

/** One action on one resource, as IAM authorizes it: {@code dynamodb:BatchGetItem} on a table's ARN. */
public record IamRequest(String action, String resource) {

    @Override
    public String toString() {
        return action + " on " + resource;
    }
}
