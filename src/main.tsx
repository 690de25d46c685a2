/** The studio's entry: mount the shell, start the encoder worker, keep the page in sync with the URL hash. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getEncoderClient, getTrainingClient } from './client';
import { loadStudio } from './client/studioData';
import { openShareInAddress } from './client/shareData';
import { installTestHook } from './client/testHook';
import { hasShareFragment } from './share';
import { pageFromHash } from './state/navigationSlice';
import { navigate } from './state/store';
import { App } from './ui/App';
import './ui/theme.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

const client = getEncoderClient();
installTestHook(client);
void client.start();
// A share link (#share=…) opens as a new task once the studio has read what it has.
void loadStudio().then(() => (hasShareFragment(window.location.hash) ? openShareInAddress() : undefined));
getTrainingClient().start();

window.addEventListener('hashchange', () => {
  if (hasShareFragment(window.location.hash)) void openShareInAddress();
  else navigate(pageFromHash(window.location.hash));
});

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
