/**
 * The group's launch template and its versions. A version fixes the instance
 * type new instances get (and whether they require IMDSv2); the group names a version as '$Default',
 * '$Latest' or a number, resolved at each launch, so pointing the group at
 * '$Latest' and then creating a version changes what the next launch gets,
 * as on AWS.
 */
import { ApiError } from './wire.js';
import { knownInstanceType } from './capacity.js';

export interface TemplateVersion {
  versionNumber: number;
  description?: string;
  instanceType: string;
  imageId: string;
  securityGroupIds: string[];
  /** MetadataOptions.HttpTokens: 'required' is IMDSv2 only; absent, as on AWS, means 'optional'. */
  httpTokens?: 'required' | 'optional';
  createdAtMs: number;
}

export class LaunchTemplate {
  readonly versions: TemplateVersion[];
  defaultVersion = 1;

  constructor(
    readonly launchTemplateId: string,
    readonly launchTemplateName: string,
    first: Omit<TemplateVersion, 'versionNumber'>,
  ) {
    this.versions = [{ ...first, versionNumber: 1 }];
  }

  get latestVersion(): number {
    return this.versions[this.versions.length - 1].versionNumber;
  }

  /** '$Latest', '$Default' or a version number; InvalidLaunchTemplateId.VersionNotFound otherwise. */
  resolve(version: string | undefined): TemplateVersion {
    const n =
      version === undefined || version === '$Default' ? this.defaultVersion : version === '$Latest' ? this.latestVersion : Number(version);
    const found = this.versions.find((v) => v.versionNumber === n);
    if (!found)
      throw new ApiError(
        'InvalidLaunchTemplateId.VersionNotFound',
        `Could not find launch template version ${version ?? '$Default'} for launch template ${this.launchTemplateId}`,
      );
    return found;
  }

  /** CreateLaunchTemplateVersion: the source version's data with the given fields replaced. */
  createVersion(
    sourceVersion: string | undefined,
    data: Partial<Pick<TemplateVersion, 'instanceType' | 'imageId' | 'securityGroupIds' | 'httpTokens'>>,
    description: string | undefined,
    nowMs: number,
  ): TemplateVersion {
    if (data.instanceType !== undefined && !knownInstanceType(data.instanceType))
      throw new ApiError(
        'InvalidParameterValue',
        `The instance type '${data.instanceType}' is not supported by the lab (t3.nano to t3.2xlarge).`,
      );
    const source = sourceVersion === undefined ? undefined : this.resolve(sourceVersion);
    const base = source ?? { instanceType: 't3.micro', imageId: this.versions[0].imageId, securityGroupIds: [] };
    const httpTokens = data.httpTokens ?? source?.httpTokens;
    const version: TemplateVersion = {
      versionNumber: this.latestVersion + 1,
      ...(description !== undefined ? { description } : {}),
      instanceType: data.instanceType ?? base.instanceType,
      imageId: data.imageId ?? base.imageId,
      securityGroupIds: data.securityGroupIds ?? base.securityGroupIds,
      ...(httpTokens ? { httpTokens } : {}),
      createdAtMs: nowMs,
    };
    this.versions.push(version);
    return version;
  }
}
