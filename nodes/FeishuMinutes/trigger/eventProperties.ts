import type { INodeProperties } from 'n8n-workflow';

/** What both event triggers (Request URL, long connection) offer: which events, and what the item carries. */
export const eventProperties: INodeProperties[] = [
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: 'New Minute', value: 'minutes.minute.generated_v1', description: 'A minute of the connected user was generated' },
			{
				name: 'Meeting Ended (Recorded)',
				value: 'vc.meeting.all_meeting_ended_v1',
				description:
					'A meeting the connected user owns ended and was recorded: starts once its recording and minute are there (waits up to 30 minutes), once per meeting. Needs the app event "Meeting ended" and the scope vc:record:readonly.',
			},
			{
				name: 'Meeting Recording Ready',
				value: 'vc.meeting.recording_ready_v1',
				description: 'A recording is ready (Feishu sends it only for meetings booked through the Open API)',
			},
		],
		default: ['minutes.minute.generated_v1'],
	},
	{
		displayName: 'Include Minute Details',
		name: 'includeDetails',
		type: 'boolean',
		default: true,
		description: 'Whether to add the minute\'s title, owner, create time, duration and URL (as Get returns them)',
	},
	{
		displayName: 'Wait Until Media Is Ready',
		name: 'waitUntilReady',
		type: 'boolean',
		default: false,
		description: 'Whether to start the workflow only once the recording can be downloaded (2091003 polled every 30 s, up to 30 minutes)',
	},
];
