package dev.jobline.config;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients, built once per container. Region and credentials come straight from the
 * variables Lambda sets (walking the default chains costs cold-start time); endpoints come from the
 * SDK's own AWS_ENDPOINT_URL* variables, so the same code reaches AWS or a local stack.
 */
public record Clients(DynamoDbClient dynamo, SqsClient sqs) {

    public static Clients fromEnvironment() {
        SdkHttpClient http = UrlConnectionHttpClient.create();
        Region region = Region.of(SdkSystemSetting.AWS_REGION.getStringValueOrThrow());
        AwsCredentialsProviderChain credentials = AwsCredentialsProviderChain.of(
                EnvironmentVariableCredentialsProvider.create(), SystemPropertyCredentialsProvider.create());
        return new Clients(
                DynamoDbClient.builder().httpClient(http).region(region).credentialsProvider(credentials).build(),
                SqsClient.builder().httpClient(http).region(region).credentialsProvider(credentials).build());
    }
}
